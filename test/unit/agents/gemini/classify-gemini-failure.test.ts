import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classifyGeminiExit,
  refineGeminiFailure,
  statusOfExitCode,
} from '../../../../src/agents/gemini/classify-gemini-failure.js';

const now = 1_800_000_000_000;
const base = { signal: null, stderr: '', workspace: '/w/project', now };
const errorResult = (message: string) => ({ status: 'error', error: { type: 'unknown', message } });

test('exit codes are HTTP statuses mod 256 (measured); 0–143 are not', () => {
  assert.equal(statusOfExitCode(144), 400);
  assert.equal(statusOfExitCode(145), 401);
  assert.equal(statusOfExitCode(173), 429);
  assert.equal(statusOfExitCode(244), 500);
  assert.equal(statusOfExitCode(55), undefined);
  assert.equal(statusOfExitCode(1), undefined);
});

test('captured failed model calls are classified from the result line and the exit code', () => {
  const cases: Array<[number, string, string]> = [
    [
      144,
      '[API Error: {"error":{"code":400,"message":"bad request (scripted)","status":"INVALID_ARGUMENT"}}]',
      'MODEL_ERROR/permanent/400',
    ],
    [
      145,
      '[API Error: {"error":{"code":401,"message":"API key not valid. Please pass a valid API key.","status":"UNAUTHENTICATED"}}]',
      'AUTH_FAILED/permanent/401',
    ],
    [
      147,
      '[API Error: {"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}]',
      'AUTH_FAILED/permanent/403',
    ],
    [
      244,
      '[API Error: {"error":{"code":500,"message":"Internal error from the scripted model server","status":"INTERNAL"}}]',
      'MODEL_ERROR/transient/500',
    ],
    [
      173,
      '[API Error: Rate limited by the scripted model server]\nPlease wait and try again later. To increase your limits, request a quota increase through AI Studio, or switch to another /auth method',
      'RATE_LIMITED/transient/429',
    ],
    [1, '[API Error: terminated]', 'MODEL_ERROR/transient/undefined'],
  ];
  for (const [exitCode, message, expected] of cases) {
    const failure = classifyGeminiExit({ ...base, exitCode, result: errorResult(message) });
    assert.equal(`${failure?.code}/${failure?.kind}/${failure?.apiStatus}`, expected, message);
    assert.equal(failure?.exitCode, exitCode);
  }
  const retryIn = classifyGeminiExit({
    ...base,
    exitCode: 173,
    result: errorResult(
      '[API Error: Resource exhausted. Please retry in 7s.]\nPlease wait and try again later.',
    ),
  });
  assert.equal(retryIn?.resetAt, now + 7_000);
  assert.equal(classifyGeminiExit({ ...base, exitCode: 0, result: { status: 'success' } }), undefined);
});

test('exit 41 and 55 (measured stderr): permanent, with the fix in the message', () => {
  const auth = classifyGeminiExit({
    ...base,
    exitCode: 41,
    result: undefined,
    stderr: 'Invalid auth method selected.\n',
  });
  assert.equal(`${auth?.code}/${auth?.kind}`, 'AUTH_FAILED/permanent');
  assert.match(auth?.message ?? '', /Invalid auth method selected/);
  assert.match(auth?.message ?? '', /security.*auth.*selectedType/);
  assert.match(auth?.message ?? '', /GEMINI_API_KEY/);
  const untrusted = classifyGeminiExit({
    ...base,
    exitCode: 55,
    result: undefined,
    stderr:
      'Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`, set the `GEMINI_CLI_TRUST_WORKSPACE=true` environment variable, or trust this directory in interactive mode.\n',
  });
  assert.equal(`${untrusted?.code}/${untrusted?.kind}`, 'AGENT_ERROR/permanent');
  assert.match(untrusted?.message ?? '', /\/w\/project/);
  assert.match(untrusted?.message ?? '', /never trusts a folder on your behalf/);
  assert.doesNotMatch(untrusted?.message ?? '', /--skip-trust/, 'we do not suggest skipping trust checks');
});

test('no result line, signals and the other fatal exits', () => {
  assert.equal(
    classifyGeminiExit({ ...base, exitCode: null, signal: 'SIGKILL', result: undefined })?.code,
    'KILLED_BY_SIGNAL',
  );
  const config = classifyGeminiExit({
    ...base,
    exitCode: 52,
    result: undefined,
    stderr: 'Error in settings.json: bad',
  });
  assert.equal(`${config?.code}/${config?.kind}`, 'AGENT_ERROR/permanent');
  assert.equal(classifyGeminiExit({ ...base, exitCode: 1, result: undefined })?.code, 'PROTOCOL_ERROR');
});

test('quota exhaustion is a usage limit; an ineligible account is an auth failure', () => {
  const quota = refineGeminiFailure(
    {
      code: 'RATE_LIMITED',
      kind: 'transient',
      message: 'You have exhausted your capacity on this model. Please retry in 30s.',
      resetAt: now + 30_000,
    },
    undefined,
  );
  assert.equal(`${quota.code}/${quota.kind}/${quota.resetAt}`, `USAGE_LIMIT/usage-limit/${now + 30_000}`);
  const ineligible = refineGeminiFailure(
    {
      code: 'MODEL_ERROR',
      kind: 'permanent',
      message: 'IneligibleTierError: migrate to the Antigravity suite',
    },
    undefined,
  );
  assert.equal(`${ineligible.code}/${ineligible.kind}`, 'AUTH_FAILED/permanent');
});
