import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyCodexExit,
  classifyCodexFailure,
} from '../../../../src/agents/codex/classify-codex-failure.js';
import { parseResetTime, usageLimitResetAt } from '../../../../src/agents/codex/codex-usage-limit.js';

// Messages as codex 0.171.0 prints them (measured against the scripted model server), and usage-limit
// messages as its binary formats them.

const now = new Date(2026, 10, 27, 14, 0, 0).getTime();

describe('classifying a failed codex turn', () => {
  const cases = [
    {
      message: 'exceeded retry limit, last status: 429 Too Many Requests',
      code: 'RATE_LIMITED',
      kind: 'transient',
      status: 429,
    },
    {
      message: 'We’re currently experiencing high demand, which may cause temporary errors.',
      code: 'MODEL_ERROR',
      kind: 'transient',
    },
    {
      message:
        'unexpected status 401 Unauthorized: Incorrect API key provided, url: http://127.0.0.1:43839/v1/responses',
      code: 'AUTH_FAILED',
      kind: 'permanent',
      status: 401,
    },
    {
      message:
        'unexpected status 403 Forbidden: Scripted error 403, url: http://127.0.0.1:39607/v1/responses',
      code: 'AUTH_FAILED',
      kind: 'permanent',
      status: 403,
    },
    {
      message:
        'unexpected status 503 Service Unavailable: Service unavailable (scripted), url: http://127.0.0.1:45619/v1/responses',
      code: 'MODEL_ERROR',
      kind: 'transient',
      status: 503,
    },
    {
      message:
        'unexpected status 529 <unknown status code>: Overloaded (scripted), url: http://127.0.0.1:46881/v1/responses',
      code: 'MODEL_ERROR',
      kind: 'transient',
      status: 529,
    },
    {
      message:
        'unexpected status 404 Not Found: The model gpt-x does not exist, url: http://127.0.0.1:43975/v1/responses',
      code: 'MODEL_ERROR',
      kind: 'permanent',
      status: 404,
    },
    {
      message:
        '{"error":{"message":"bad request (scripted)","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}',
      code: 'MODEL_ERROR',
      kind: 'permanent',
    },
    {
      message:
        'stream disconnected before completion: Transport error: network error: error decoding response body',
      code: 'MODEL_ERROR',
      kind: 'transient',
    },
    { message: 'workspace routing discovery failed', code: 'MODEL_ERROR', kind: 'transient' },
  ] as const;
  for (const entry of cases) {
    test(`"${entry.message.slice(0, 60)}…" is a ${entry.kind} ${entry.code}`, () => {
      const failure = classifyCodexFailure({ message: entry.message }, now);
      assert.equal(failure.code, entry.code);
      assert.equal(failure.kind, entry.kind);
      assert.equal(failure.apiStatus, 'status' in entry ? entry.status : undefined);
    });
  }

  test('a 400 body is shown as its message, not as JSON', () => {
    const failure = classifyCodexFailure(
      {
        message: '{"error":{"message":"bad request (scripted)","type":"invalid_request_error","param":null}}',
      },
      now,
    );
    assert.equal(failure.message, 'bad request (scripted) (invalid_request_error)');
  });

  test('a missing key variable is a permanent AUTH_FAILED that names the variable', () => {
    const failure = classifyCodexFailure({ message: 'Missing environment variable: `NOPE_KEY`.' }, now);
    assert.equal(failure.code, 'AUTH_FAILED');
    assert.equal(failure.kind, 'permanent');
    assert.match(failure.message, /set NOPE_KEY for the agent/);
  });

  test("app-server's structured error info decides, with its HTTP status", () => {
    const rateLimited = classifyCodexFailure(
      {
        message: 'exceeded retry limit, last status: 429 Too Many Requests',
        errorInfo: 'responseTooManyFailedAttempts',
        httpStatus: 429,
      },
      now,
    );
    assert.deepEqual(
      [rateLimited.code, rateLimited.kind, rateLimited.apiStatus],
      ['RATE_LIMITED', 'transient', 429],
    );
    const server = classifyCodexFailure(
      { message: 'We’re currently experiencing high demand', errorInfo: 'internalServerError' },
      now,
    );
    assert.deepEqual([server.code, server.kind, server.apiStatus], ['MODEL_ERROR', 'transient', 500]);
    const auth = classifyCodexFailure({ message: 'unauthorized', errorInfo: 'unauthorized' }, now);
    assert.deepEqual([auth.code, auth.kind], ['AUTH_FAILED', 'permanent']);
    const context = classifyCodexFailure({ message: 'too long', errorInfo: 'contextWindowExceeded' }, now);
    assert.deepEqual([context.code, context.kind], ['AGENT_ERROR', 'permanent']);
    const disconnected = classifyCodexFailure(
      { message: 'Reconnecting... 1/1', errorInfo: 'responseStreamDisconnected' },
      now,
    );
    assert.deepEqual([disconnected.code, disconnected.kind], ['MODEL_ERROR', 'transient']);
  });

  test('a usage limit waits for the reset codex names', () => {
    const failure = classifyCodexFailure(
      {
        message:
          "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at 4:05 PM.",
      },
      now,
    );
    assert.equal(failure.code, 'USAGE_LIMIT');
    assert.equal(failure.kind, 'usage-limit');
    assert.equal(failure.resetAt, new Date(2026, 10, 27, 16, 6).getTime());
    const structured = classifyCodexFailure({ message: 'limit', errorInfo: 'usageLimitExceeded' }, now);
    assert.equal(structured.kind, 'usage-limit');
    assert.equal(structured.resetAt, now + 60 * 60_000);
  });
});

describe('usage-limit reset times', () => {
  test('the end of the minute codex shows, later today, or tomorrow when it has passed', () => {
    assert.equal(
      parseResetTime('You’ve hit your usage limit. Try again at 4:05 PM.', now),
      new Date(2026, 10, 27, 16, 6).getTime(),
    );
    assert.equal(parseResetTime('… or try again at 9:30 AM.', now), new Date(2026, 10, 28, 9, 31).getTime());
    // A reset later in the current minute is today's, not tomorrow's.
    const shownNow = new Date(now);
    const label = `${shownNow.getHours() % 12 || 12}:${String(shownNow.getMinutes()).padStart(2, '0')} ${shownNow.getHours() < 12 ? 'AM' : 'PM'}`;
    assert.equal(parseResetTime(`Try again at ${label}.`, now), now - (now % 60_000) + 60_000);
  });

  test('a date and time', () => {
    assert.equal(
      parseResetTime("You've hit your usage limit. Try again at Dec 1st, 2026 3:05 PM.", now),
      new Date(2026, 11, 1, 15, 6).getTime(),
    );
  });

  test('a duration, and an hour when codex names no time', () => {
    assert.equal(parseResetTime('try again in 2 hours 30 minutes', now), now + 150 * 60_000);
    assert.equal(usageLimitResetAt("You've hit your usage limit. Try again later.", now), now + 60 * 60_000);
  });
});

describe('classifying a codex process that ended before its turn did', () => {
  test('a CODEX_HOME that does not exist: permanent, with the fix', () => {
    const failure = classifyCodexExit({
      exitCode: 1,
      signal: null,
      stderrTail:
        'WARNING: proceeding, even though we could not create PATH aliases: CODEX_HOME points to "/h/missing", but that path does not exist\nError finding codex home: CODEX_HOME points to "/h/missing", but that path does not exist\n',
    });
    assert.equal(failure.code, 'AGENT_UNAVAILABLE');
    assert.equal(failure.kind, 'permanent');
    assert.match(failure.message, /"\/h\/missing".*create it/);
  });

  test('an untrusted directory: permanent, with the fix', () => {
    const failure = classifyCodexExit({
      exitCode: 1,
      signal: null,
      stderrTail: 'Not inside a trusted directory and --skip-git-repo-check was not specified.\n',
    });
    assert.equal(failure.kind, 'permanent');
    assert.match(failure.message, /--skip-git-repo-check/);
  });

  test('a configuration codex refuses (e.g. retries set on its built-in provider): permanent', () => {
    const failure = classifyCodexExit({
      exitCode: 1,
      signal: null,
      stderrTail:
        'Error loading config.toml: model_providers contains reserved built-in provider IDs: `openai`. Built-in providers cannot be overridden. Rename your custom provider (for example, `openai-custom`).\nin `model_providers`\n',
    });
    assert.equal(failure.code, 'AGENT_ERROR');
    assert.equal(failure.kind, 'permanent');
    assert.match(failure.message, /reserved built-in provider IDs/);
  });

  test('a thread that cannot be resumed, a signal, a silent clean exit', () => {
    const gone = classifyCodexExit({
      exitCode: 1,
      signal: null,
      stderrTail:
        'Error: thread/resume: thread/resume failed: no rollout found for thread id 01a2 (code -32600)\n',
    });
    assert.match(gone.message, /could not resume the thread/);
    const killed = classifyCodexExit({ exitCode: null, signal: 'SIGKILL', stderrTail: '' });
    assert.deepEqual([killed.code, killed.kind], ['KILLED_BY_SIGNAL', 'transient']);
    const silent = classifyCodexExit({
      exitCode: 0,
      signal: null,
      stderrTail: '',
      lastNotice: 'Reconnecting... 2/5',
    });
    assert.equal(silent.code, 'PROTOCOL_ERROR');
    assert.match(silent.message, /Reconnecting/);
  });
});
