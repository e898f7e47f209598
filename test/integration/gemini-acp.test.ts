import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Agent } from '../../src/agents/agent.js';
import { createGeminiAgent } from '../../src/agents/gemini/gemini-agent.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { isAlive, waitFor } from '../support/cli.js';
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
  treeOf,
  unansweredModelCallsAfter,
  workspaceDir,
} from './gemini-harness.js';

// The gemini adapter in its default mode, ACP (`gemini --acp`, warm and pooled), driven directly against
// the REAL Gemini CLI and the scripted model server.
const skip = agentCliMissing('gemini');

const scripted = keywordServer(skip, httpError(429));

describe('gemini adapter, ACP mode (real gemini --acp)', { skip }, () => {
  test('a step makes gemini create a file through write_file; the next step reuses the warm process', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(geminiSpec(scripted.server), depsFor(workspace));
    t.after(() => agent.close?.());
    const first = stepIn(workspace, `CREATE-FILE hello.txt IN ${workspace}`);
    const { result } = await runStep(agent, first);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(readFileSync(join(workspace, 'hello.txt'), 'utf8'), 'created hello.txt\n');
    assert.ok(result.ok);
    assert.equal(result.output, 'Wrote the file. DONE-MARKER');
    assert.deepEqual(result.filesChanged, ['hello.txt']);
    assert.match(result.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok((result.usage?.outputTokens ?? 0) > 0, 'usage from the prompt response');
    const types = new Set<string>(first.parts.map((part) => part.type));
    for (const type of ['session-start', 'tool-call', 'tool-result', 'text-delta'])
      assert.ok(types.has(type), type);
    assert.equal(first.processes.length, 1);
    const transcript = readFileSync(first.logFile, 'utf8');
    assert.match(transcript, /"method":"session\/prompt"/, 'our requests are in the transcript');
    assert.match(transcript, /"sessionUpdate":"tool_call/, 'the agent said it in the transcript');

    const second = stepIn(workspace, `CREATE-FILE again.txt IN ${workspace}`);
    const warm = await runStep(agent, second);
    assert.equal(warm.result.ok, true, JSON.stringify(warm.result));
    assert.equal(
      second.processes[0]?.pid,
      first.processes[0]?.pid,
      'the second step ran on the warm process',
    );
    assert.ok(existsSync(join(workspace, 'again.txt')));
    const firstRequest = firstModelRequestAfter(scripted.server, second.dispatchedAt) ?? Number.NaN;
    t.diagnostic(`warm step: dispatch → first model request ${firstRequest - second.dispatchedAt} ms`);
  });

  test('read, analyze and validate steps cannot write: gemini runs them in its read-only plan mode', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(geminiSpec(scripted.server), depsFor(workspace));
    t.after(() => agent.close?.());
    await readOnlyStepsWriteNothing(agent, workspace);
  });

  test('a step in another directory runs on the same process, its files are confined to that directory', async () => {
    const home = workspaceDir();
    const elsewhere = workspaceDir();
    const agent = createGeminiAgent(geminiSpec(scripted.server), depsFor(home));
    try {
      const one = stepIn(home, 'hello one');
      assert.equal((await runStep(agent, one)).result.ok, true);
      const two = stepIn(elsewhere, `CREATE-FILE there.txt IN ${elsewhere}`);
      const { result } = await runStep(agent, two);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(two.processes[0]?.pid, one.processes[0]?.pid);
      assert.ok(existsSync(join(elsewhere, 'there.txt')));
      // A write outside the step's directory is refused by the permission policy.
      const three = stepIn(elsewhere, `CREATE-FILE escape.txt IN ${home}`);
      const escaped = await runStep(agent, three);
      assert.equal(existsSync(join(home, 'escape.txt')), false, 'nothing written outside the step directory');
      assert.ok(
        three.parts.some((part) => part.type === 'warning' && /permission refused/.test(part.message)) ||
          three.parts.some((part) => part.type === 'tool-result' && part.isError),
        JSON.stringify(three.parts),
      );
      assert.equal(escaped.result.ok, true, 'the model was told and answered');
    } finally {
      await agent.close?.();
    }
  });

  test('model errors surface as classified failures; the CLI retries a failing call at most twice', async (t) => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(geminiSpec(scripted.server), depsFor(workspace));
    t.after(() => agent.close?.());
    const expect = async (prompt: string, code: string, kind: string, apiStatus: number) => {
      const step = stepIn(workspace, prompt);
      const since = Date.now();
      const { result, elapsedMs } = await runStep(agent, step);
      const failure = failureOf(result);
      assert.equal(
        `${failure.code}/${failure.kind}/${failure.apiStatus}`,
        `${code}/${kind}/${apiStatus}`,
        failure.message,
      );
      const requests = modelRequestsAfter(scripted.server, since).length;
      t.diagnostic(
        `${prompt}: ${failure.code} after ${requests} request(s), ${elapsedMs} ms: ${failure.message}`,
      );
      return { failure, requests };
    };
    const auth = await expect('AUTH-FAIL', 'AUTH_FAILED', 'permanent', 401);
    assert.match(auth.failure.message, /API key not valid/);
    assert.equal(auth.requests, 1);
    await expect('BAD-REQUEST', 'MODEL_ERROR', 'permanent', 400);
    const busy = await expect('SERVER-ERROR', 'MODEL_ERROR', 'transient', 500);
    assert.equal(busy.requests, 2, 'two attempts, then the step gives up (the CLI alone would make 10)');
    const limited = await expect('RATE-LIMIT', 'RATE_LIMITED', 'transient', 429);
    assert.equal(limited.requests, 2);
    // The process survived all of it: a plain step still works on it.
    const ok = stepIn(workspace, 'still there?');
    assert.equal((await runStep(agent, ok)).result.ok, true);
  });

  test('the user’s own general.maxAttempts is respected: no cap of ours', async () => {
    const workspace = workspaceDir();
    const spec = geminiSpec(scripted.server, { home: geminiHome({ general: { maxAttempts: 1 } }) });
    const agent = createGeminiAgent(spec, depsFor(workspace));
    try {
      const since = Date.now();
      const { result } = await runStep(agent, stepIn(workspace, 'SERVER-ERROR once'));
      assert.equal(failureOf(result).code, 'MODEL_ERROR');
      assert.equal(modelRequestsAfter(scripted.server, since).length, 1);
    } finally {
      await agent.close?.();
    }
  });

  test('no API key: a permanent AUTH_FAILED that says how to fix it', async () => {
    const workspace = workspaceDir();
    const agent = createGeminiAgent(
      geminiSpec(scripted.server, { env: { GEMINI_API_KEY: undefined } }),
      depsFor(workspace),
    );
    try {
      const failure = failureOf((await runStep(agent, stepIn(workspace, 'hello'))).result);
      assert.equal(`${failure.code}/${failure.kind}`, 'AUTH_FAILED/permanent');
      assert.match(failure.message, /Gemini API key is missing/);
      assert.match(failure.message, /GEMINI_API_KEY/);
      assert.match(failure.message, /selectedType/);
    } finally {
      await agent.close?.();
    }
  });

  test('ACP mode does not refuse an untrusted folder (measured), and ai-collab trusts nothing itself', async () => {
    const workspace = workspaceDir();
    const spec = geminiSpec(scripted.server, { env: { GEMINI_CLI_TRUST_WORKSPACE: undefined } });
    const agent = createGeminiAgent(spec, depsFor(workspace));
    try {
      const step = stepIn(workspace, `CREATE-FILE untrusted.txt IN ${workspace}`);
      const { result } = await runStep(agent, step);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.ok(existsSync(join(workspace, 'untrusted.txt')));
      const environment = readFileSync(`/proc/${step.processes[0]?.pid}/environ`, 'utf8').split('\0');
      assert.ok(!environment.some((entry) => entry.startsWith('GEMINI_CLI_TRUST_WORKSPACE=')));
      assert.ok(!readFileSync(`/proc/${step.processes[0]?.pid}/cmdline`, 'utf8').includes('--skip-trust'));
    } finally {
      await agent.close?.();
    }
  });

  test('an aborted step is cancelled with session/cancel at once; closing the agent leaves no process', async (t) => {
    const workspace = workspaceDir();
    const agent: Agent = createGeminiAgent(geminiSpec(scripted.server), depsFor(workspace));
    const step = stepIn(workspace, 'SLOW please');
    const since = Date.now();
    const running = runStep(agent, step);
    await waitFor(
      () => firstModelRequestAfter(scripted.server, since) !== undefined,
      'the model request',
      30_000,
    );
    const pid = step.processes[0]?.pid ?? assert.fail('no process recorded');
    const tree = treeOf(pid);
    assert.ok(tree.length >= 2, `gemini relaunches itself: ${tree}`);
    const abortedAt = Date.now();
    step.controller.abort();
    const { result } = await running;
    const stopMs = Date.now() - abortedAt;
    assert.equal(failureOf(result).code, 'ABORTED');
    // The model would answer only after 60 s: the step returned without waiting for it.
    assert.ok(unansweredModelCallsAfter(scripted.server, since) > 0, 'the step waited for the model');
    t.diagnostic(`abort → result ${stopMs} ms (the turn confirmed "cancelled")`);
    // The cancelled session left the process usable, so the turn ended by the cancel, not by retiring it.
    const next = stepIn(workspace, 'after the abort');
    assert.equal((await runStep(agent, next)).result.ok, true);
    assert.equal(next.processes[0]?.pid, pid);
    await agent.close?.();
    await waitFor(() => tree.every((member) => !isAlive(member)), 'the process tree to be gone', 10_000);
  });
});
