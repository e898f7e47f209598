import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createGeminiAgent } from '../../src/agents/gemini/gemini-agent.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { isAlive } from '../support/cli.js';
import { httpError } from '../support/model-server/index.js';
import {
  depsFor,
  failureOf,
  firstModelRequestAfter,
  geminiHome,
  geminiSpec,
  keywordServer,
  modelRequestsAfter,
  readOnlyStepsWriteNothing,
  runStep,
  stepIn,
  workspaceDir,
} from './gemini-harness.js';

// The gemini adapter in `mode: prompt` (one `gemini -p … --output-format stream-json` per step), driven
// directly against the REAL Gemini CLI and the scripted model server.
const skip = agentCliMissing('gemini');

const scripted = keywordServer(skip, httpError(429, { message: 'Resource exhausted. Please retry in 7s.' }));

const promptSpec = (options: Parameters<typeof geminiSpec>[1] = {}) =>
  geminiSpec(scripted.server, { mode: 'prompt', ...options });

describe('gemini adapter, prompt mode (real gemini -p)', { skip }, () => {
  test('a step makes gemini create a file through write_file and returns the final text', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(promptSpec(), depsFor(workspace));
    const step = stepIn(workspace, `CREATE-FILE hello.txt IN ${workspace}`);
    const { result, elapsedMs } = await runStep(agent, step);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.ok(result.ok);
    assert.equal(readFileSync(join(workspace, 'hello.txt'), 'utf8'), 'created hello.txt\n');
    assert.equal(result.output, 'Wrote the file. DONE-MARKER');
    assert.deepEqual(result.filesChanged, ['hello.txt']);
    assert.match(result.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok((result.usage?.outputTokens ?? 0) > 0);
    const pid = step.processes[0]?.pid ?? assert.fail('no process recorded');
    assert.equal(isAlive(pid), false, 'the one-shot process is gone when the step ends');
    assert.match(readFileSync(step.logFile, 'utf8'), /"type":"result"/);
    const first = firstModelRequestAfter(scripted.server, step.dispatchedAt) ?? Number.NaN;
    t.diagnostic(`dispatch → first model request ${first - step.dispatchedAt} ms; step ${elapsedMs} ms`);
  });

  test('read, analyze and validate steps cannot write: gemini runs them in its read-only plan mode', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(promptSpec(), depsFor(workspace));
    t.after(() => agent.close?.());
    await readOnlyStepsWriteNothing(agent, workspace);
  });

  test('model errors surface as classified failures; the CLI retries a failing call at most twice', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(promptSpec(), depsFor(workspace));
    const cases: Array<[string, string, number]> = [
      ['AUTH-FAIL', 'AUTH_FAILED/permanent', 401],
      ['BAD-REQUEST', 'MODEL_ERROR/permanent', 400],
      ['SERVER-ERROR', 'MODEL_ERROR/transient', 500],
      ['RATE-LIMIT', 'RATE_LIMITED/transient', 429],
    ];
    // Independent processes: run them side by side.
    const outcomes = await Promise.all(
      cases.map(async ([prompt]) => {
        const step = stepIn(workspace, `${prompt} ${Math.random()}`);
        const outcome = await runStep(agent, step);
        return {
          ...outcome,
          requests: modelRequestsAfter(scripted.server, step.dispatchedAt).filter((request) =>
            request.model?.lastUserText.includes(prompt),
          ).length,
        };
      }),
    );
    for (const [index, [prompt, expected, status]] of cases.entries()) {
      const outcome = outcomes[index] ?? assert.fail();
      const failure = failureOf(outcome.result);
      assert.equal(`${failure.code}/${failure.kind}`, expected, `${prompt}: ${failure.message}`);
      assert.equal(failure.apiStatus, status, prompt);
      t.diagnostic(
        `${prompt}: ${failure.code} after ${outcome.requests} request(s), ${outcome.elapsedMs} ms: ${failure.message}`,
      );
    }
    assert.match(failureOf(outcomes[0]?.result ?? assert.fail()).message, /API key not valid/);
    assert.equal(outcomes[2]?.requests, 2, 'a persistent 500: two attempts, then the step gives up');
    const limited = failureOf(outcomes[3]?.result ?? assert.fail());
    assert.ok(
      limited.resetAt !== undefined && limited.resetAt > Date.now() - 60_000,
      'the "retry in 7s" is kept',
    );
  });

  test('an untrusted folder is a permanent failure that says how to trust it (ai-collab does not)', async () => {
    const workspace = workspaceDir();
    const spec = promptSpec({ env: { GEMINI_CLI_TRUST_WORKSPACE: undefined } });
    const agent = createGeminiAgent(spec, depsFor(workspace));
    const failure = failureOf((await runStep(agent, stepIn(workspace, 'hello'))).result);
    assert.equal(`${failure.code}/${failure.kind}/${failure.exitCode}`, 'AGENT_ERROR/permanent/55');
    assert.match(failure.message, /not trusted that folder/);
    assert.match(failure.message, /trustedFolders\.json/);
    assert.match(failure.message, /GEMINI_CLI_TRUST_WORKSPACE/);
    assert.ok(failure.message.includes(workspace));
  });

  test('no auth method (exit 41) is a permanent AUTH_FAILED with the fix', async () => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(
      promptSpec({ home: geminiHome({ selectedType: null }) }),
      depsFor(workspace),
    );
    const failure = failureOf((await runStep(agent, stepIn(workspace, 'hello'))).result);
    assert.equal(`${failure.code}/${failure.kind}/${failure.exitCode}`, 'AUTH_FAILED/permanent/41');
    assert.match(failure.message, /Invalid auth method selected/);
    assert.match(failure.message, /selectedType/);
    assert.match(failure.message, /GEMINI_API_KEY/);
  });

  test('a prompt too long for one argument goes through stdin', async () => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(promptSpec(), depsFor(workspace));
    const long = `${'context line\n'.repeat(12_000)}answer LONG-PROMPT-END`;
    const { result } = await runStep(agent, stepIn(workspace, long));
    assert.equal(result.ok, true, JSON.stringify(result).slice(0, 500));
    assert.ok(result.ok && result.output.includes('LONG-PROMPT-END'), result.ok ? result.output : '');
    assert.equal(existsSync(join(workspace, 'hello.txt')), false);
  });
});
