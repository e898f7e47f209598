import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stepTagName } from '../../src/agents/agent-deps.js';
import { CodexAgent } from '../../src/agents/codex/codex-agent.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { waitFor } from '../support/cli.js';
import { httpError, repeat, text, toolCall } from '../support/model-server/index.js';
import {
  addFilePatch,
  codexSpec,
  depsFor,
  failureOf,
  liveTree,
  processesWith,
  runStep,
  setUpCodex,
  stepIn,
  workspaceDir,
} from './codex-harness.js';

// The codex adapter in `exec` mode (one `codex exec --json` process per step), driven directly against
// the REAL codex CLI and the scripted model server: what is codex's own. What every adapter keeps (a
// written file, usage, classification, cancel and timeout leaving nothing) is the contract suite's. The adapter caps codex's own retries at 2 request
// retries × 1 stream re-open, so a persistent error costs exactly (2+1)×(1+1) = 6 requests.

describe('codex exec mode (real CLI)', { skip: agentCliMissing('codex') }, () => {
  test('an apply_patch step creates the file and returns the final text, thread, usage and files', async (t) => {
    const { agent, server, workspace } = await setUpCodex(t, {
      script: [
        toolCall('apply_patch', addFilePatch('hello.txt', 'hello from codex')),
        text('Created hello.txt. CODEX-DONE'),
      ],
    });
    const step = stepIn(workspace, 'Create hello.txt');
    const { result } = await runStep(agent, step);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, 'Created hello.txt. CODEX-DONE');
    assert.deepEqual(result.filesChanged, ['hello.txt']);
    assert.equal(readFileSync(join(workspace, 'hello.txt'), 'utf8'), 'hello from codex\n');
    const session = step.parts.find((part) => part.type === 'session-start');
    assert.ok(session && result.sessionId === session.sessionId);
    assert.ok(step.parts.some((part) => part.type === 'tool-call' && part.name === 'file_change'));
    assert.ok(step.parts.some((part) => part.type === 'text-delta' && part.text.includes('CODEX-DONE')));
    // The prompt went in on stdin, whole (with the newline that ends the line written).
    assert.equal(server.modelRequests()[0]?.lastUserText.trimEnd(), 'Create hello.txt');
    assert.match(readFileSync(step.logFile, 'utf8'), /"type":"turn\.completed"/);
    const [record] = step.processes;
    assert.ok(record, 'the process was reported');
    assert.deepEqual(await liveTree(record, `${stepTagName}=run-1/${step.task.stepId}/1`), []);
  });

  for (const mode of ['exec', 'app-server'] as const) {
    test(`an analyze step cannot write (${mode} mode): codex runs it in its read-only sandbox`, async (t) => {
      const { agent, workspace } = await setUpCodex(
        t,
        {
          script: (request) =>
            request.pendingToolResults.length > 0
              ? text('Tried to write. CODEX-DONE')
              : toolCall('apply_patch', addFilePatch('sneaky.txt', 'written by a read-only step')),
        },
        { mode },
      );
      const { result } = await runStep(agent, stepIn(workspace, 'Look, do not touch', { action: 'analyze' }));
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(existsSync(join(workspace, 'sneaky.txt')), false, 'the read-only step wrote a file');
      const { result: wrote } = await runStep(agent, stepIn(workspace, 'Write it', { action: 'write' }));
      assert.ok(wrote.ok, JSON.stringify(wrote));
      assert.equal(readFileSync(join(workspace, 'sneaky.txt'), 'utf8'), 'written by a read-only step\n');
    });
  }

  const failures = [
    { name: 'a persistent 500', turn: httpError(500), code: 'MODEL_ERROR', kind: 'transient', requests: 6 },
    {
      name: 'a 401',
      turn: httpError(401, { message: 'Incorrect API key provided' }),
      code: 'AUTH_FAILED',
      kind: 'permanent',
      requests: 2,
      status: 401,
    },
    {
      name: 'a 400',
      turn: httpError(400, { message: 'bad request (scripted)' }),
      code: 'MODEL_ERROR',
      kind: 'permanent',
      requests: 1,
    },
    {
      name: 'a 429',
      turn: httpError(429),
      code: 'RATE_LIMITED',
      kind: 'transient',
      // codex does not retry a 429 that carries no retry-after at all (PROTOCOL-NOTES).
      requests: 1,
      status: 429,
    },
  ] as const;
  for (const failure of failures) {
    test(`${failure.name} is a ${failure.kind} ${failure.code}, after ${failure.requests} model request(s)`, async (t) => {
      const { agent, server, workspace } = await setUpCodex(t, { script: repeat(failure.turn, 20) });
      const { result } = await runStep(agent, stepIn(workspace, 'Do something'));
      const problem = failureOf(result);
      assert.equal(problem.code, failure.code, problem.message);
      assert.equal(problem.kind, failure.kind);
      if ('status' in failure) assert.equal(problem.apiStatus, failure.status);
      assert.equal(server.modelRequests().length, failure.requests);
      assert.ok(result.sessionId, 'the thread is reported, so a retry can resume it');
    });
  }

  test('a timeout during a tool command also stops the command (it runs in a sandbox session of its own)', async (t) => {
    const { agent, workspace } = await setUpCodex(t, {
      script: [toolCall('exec_command', { cmd: 'sleep 38.25' }), text('slept')],
    });
    const step = stepIn(workspace, 'Sleep');
    const running = runStep(agent, step);
    await waitFor(() => processesWith('sleep 38.25').length > 0, 'the sleep command');
    step.controller.abort();
    const { result } = await running;
    assert.equal(failureOf(result).code, 'ABORTED');
    assert.deepEqual(processesWith('sleep 38.25'), []);
  });

  test('the next attempt of a failed step resumes its thread instead of starting over', async (t) => {
    const { agent, server, workspace } = await setUpCodex(t, {
      script: [httpError(429), text('RESUMED-DONE')],
    });
    const first = await runStep(agent, stepIn(workspace, 'Write the notes', { stepId: 'notes', attempt: 1 }));
    assert.equal(failureOf(first.result).code, 'RATE_LIMITED');
    const threadId = first.result.sessionId;
    assert.ok(threadId);
    const second = await runStep(
      agent,
      stepIn(workspace, 'Write the notes', { stepId: 'notes', attempt: 2 }),
    );
    assert.ok(second.result.ok, JSON.stringify(second.result));
    assert.equal(second.result.output, 'RESUMED-DONE');
    assert.equal(second.result.sessionId, threadId);
    const resumed = server.modelRequests()[1];
    const userTexts = resumed?.messages
      .filter((message) => message.role === 'user')
      .map((message) => message.text);
    assert.ok(
      userTexts?.some((text) => text.trimEnd() === 'Write the notes'),
      'the first attempt is in the resumed conversation',
    );
    assert.match(resumed?.lastUserText ?? '', /^The previous attempt at this task stopped/);
  });

  test('a thread to resume that codex no longer has: the step starts afresh', async (t) => {
    const { agent, server, workspace } = await setUpCodex(t, { script: [text('FRESH-DONE')] });
    const step = stepIn(workspace, 'Write the notes');
    // The field the engine is proposed to pass (AgentTask.resumeSessionId).
    const task = { ...step.task, resumeSessionId: '01a21f3a-9b93-7082-b497-81e92f0cfc2d' };
    const result = await agent.run(task);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, 'FRESH-DONE');
    assert.notEqual(result.sessionId, task.resumeSessionId);
    assert.equal(server.modelRequests()[0]?.lastUserText.trimEnd(), 'Write the notes');
    assert.match(readFileSync(step.logFile, 'utf8'), /no rollout found for thread id/);
  });

  test('a CODEX_HOME that does not exist is a permanent failure with the fix, and nothing is started', async (t) => {
    const { server } = await setUpCodex(t, { script: [text('never')] });
    const workspace = workspaceDir();
    const missing = join(workspace, '..', 'no-such-codex-home');
    const spec = codexSpec(server);
    const agent = new CodexAgent({ ...spec, env: { ...spec.env, CODEX_HOME: missing } }, depsFor(workspace));
    const step = stepIn(workspace, 'Anything');
    const problem = failureOf((await runStep(agent, step)).result);
    assert.equal(problem.kind, 'permanent');
    assert.match(problem.message, /CODEX_HOME points to .*no-such-codex-home.*does not exist; create it/);
    assert.deepEqual(step.processes, []);
    assert.equal(existsSync(missing), false);
    assert.equal(server.requests.length, 0);
  });
});
