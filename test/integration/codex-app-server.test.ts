import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { isAlive, waitFor } from '../support/cli.js';
import { httpError, repeat, text, toolCall } from '../support/model-server/index.js';
import {
  addFilePatch,
  failureOf,
  liveTree,
  processesWith,
  runStep,
  setUpCodex,
  stepIn,
  workspaceDir,
} from './codex-harness.js';

// The codex adapter in `app-server` mode: warm `codex app-server` processes from one pool, a fresh thread
// per step in the step's own directory, driven directly against the REAL codex CLI and the scripted model
// server. Retries are capped as in exec mode: a persistent error costs (2+1)×(1+1) = 6 requests at most.

describe('codex app-server mode (real CLI)', { skip: agentCliMissing('codex') }, () => {
  test('steps in two directories run on one warm server, each in a thread of its own', async (t) => {
    const { agent, server } = await setUpCodex(
      t,
      {
        script: [
          toolCall('apply_patch', addFilePatch('one.txt', 'first')),
          text('ONE-DONE'),
          toolCall('apply_patch', addFilePatch('two.txt', 'second')),
          text('TWO-DONE'),
        ],
      },
      { mode: 'app-server' },
    );
    await agent.warm();
    const [first, second] = [workspaceDir(), workspaceDir()];
    const one = stepIn(first, 'Create one.txt');
    const oneResult = (await runStep(agent, one)).result;
    const two = stepIn(second, 'Create two.txt');
    const twoResult = (await runStep(agent, two)).result;
    assert.ok(oneResult.ok && twoResult.ok, JSON.stringify([oneResult, twoResult]));
    assert.equal(oneResult.output, 'ONE-DONE');
    assert.equal(twoResult.output, 'TWO-DONE');
    assert.deepEqual(oneResult.filesChanged, ['one.txt']);
    assert.deepEqual(twoResult.filesChanged, ['two.txt']);
    assert.equal(readFileSync(join(first, 'one.txt'), 'utf8'), 'first\n');
    assert.equal(readFileSync(join(second, 'two.txt'), 'utf8'), 'second\n');
    assert.notEqual(oneResult.sessionId, twoResult.sessionId);
    assert.ok((twoResult.usage?.inputTokens ?? 0) > 0);
    // The same warm process served both steps: no spawn on the hot path.
    assert.equal(one.processes[0]?.pid, two.processes[0]?.pid);
    assert.equal(agent.poolStats()?.warmHits, 2);
    // The second thread saw nothing of the first.
    const secondThread = server.modelRequests()[2];
    assert.ok(!secondThread?.messages.some((message) => message.text.includes('Create one.txt')));
    assert.match(
      secondThread?.messages.find((m) => m.text.includes('<cwd>'))?.text ?? '',
      new RegExp(second),
    );
    assert.match(readFileSync(two.logFile, 'utf8'), /"method":"turn\/completed"/);
  });

  const failures = [
    {
      name: 'a persistent 500',
      turn: httpError(500),
      code: 'MODEL_ERROR',
      kind: 'transient',
      requests: 6,
      status: 500,
    },
    {
      name: 'a 401',
      turn: httpError(401, { message: 'Incorrect API key provided' }),
      code: 'AUTH_FAILED',
      kind: 'permanent',
      requests: 2,
      status: 401,
    },
    { name: 'a 400', turn: httpError(400), code: 'MODEL_ERROR', kind: 'permanent', requests: 1 },
    {
      name: 'a 429',
      turn: httpError(429),
      code: 'RATE_LIMITED',
      kind: 'transient',
      requests: 1,
      status: 429,
    },
  ] as const;
  for (const failure of failures) {
    test(`${failure.name} is a ${failure.kind} ${failure.code}, and the server stays in service`, async (t) => {
      const { agent, server, workspace } = await setUpCodex(
        t,
        { script: [...repeat(failure.turn, failure.requests), text('AFTER')] },
        { mode: 'app-server' },
      );
      const step = stepIn(workspace, 'Do something');
      const problem = failureOf((await runStep(agent, step)).result);
      assert.equal(problem.code, failure.code, problem.message);
      assert.equal(problem.kind, failure.kind);
      if ('status' in failure) assert.equal(problem.apiStatus, failure.status);
      assert.equal(server.modelRequests().length, failure.requests);
      // A failed turn is the model's problem, not the server's: the next step gets the same process.
      const next = stepIn(workspace, 'Again');
      const result = (await runStep(agent, next)).result;
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(next.processes[0]?.pid, step.processes[0]?.pid);
    });
  }

  test('cancelling while the model thinks interrupts the turn; the clean server is kept', async (t) => {
    const { agent, server, workspace } = await setUpCodex(
      t,
      { script: [text('too late', { delayMs: 60_000 }), text('NEXT')] },
      { mode: 'app-server' },
    );
    const step = stepIn(workspace, 'Think for a long time');
    const running = runStep(agent, step);
    await waitFor(() => server.modelRequests().length === 1, 'the model request');
    step.controller.abort();
    const { result } = await running;
    assert.equal(failureOf(result).code, 'ABORTED');
    // The model would answer only after 60 s: the interrupt ended the turn, not the answer.
    const call = server.requests.find((request) => request.model !== undefined);
    assert.equal(call?.answeredAt, undefined, 'the step waited for the model to answer');
    assert.ok(result.sessionId);
    const [record] = step.processes;
    assert.ok(record && isAlive(record.pid), 'the server confirmed the interrupt and was kept');
    // Nothing but the server itself is left: the npm launcher and the native binary. Codex runs short
    // helpers of its own (git for the turn's metadata) that may still be exiting; a lasting one fails here.
    await waitFor(async () => (await liveTree(record)).length === 2, 'only the server left in its tree');
    const next = stepIn(workspace, 'Next');
    const after = (await runStep(agent, next)).result;
    assert.ok(after.ok && after.output === 'NEXT', JSON.stringify(after));
    assert.equal(next.processes[0]?.pid, record.pid);
  });

  test('cancelling during a tool command stops the command and retires the server it ran under', async (t) => {
    const { agent, workspace } = await setUpCodex(
      t,
      // slept.marker is written only if the command runs to its end.
      { script: [toolCall('exec_command', { cmd: 'sleep 39.75 && touch slept.marker' }), text('slept')] },
      { mode: 'app-server' },
    );
    const step = stepIn(workspace, 'Sleep');
    const running = runStep(agent, step);
    // Once codex reports the command, it survives turn/interrupt (measured); before that, the interrupt
    // may still take it down, which would not exercise the retirement.
    await waitFor(
      () => step.parts.some((part) => part.type === 'tool-call' && part.name === 'command'),
      'the command item',
    );
    await waitFor(() => processesWith('sleep 39.75').length > 0, 'the sleep command');
    step.controller.abort();
    const { result } = await running;
    assert.equal(failureOf(result).code, 'ABORTED');
    assert.equal(existsSync(join(workspace, 'slept.marker')), false, 'the step waited for the command');
    // codex keeps a command running after turn/interrupt, so the adapter stopped the whole server.
    assert.deepEqual(processesWith('sleep 39.75'), []);
    const [record] = step.processes;
    assert.ok(record);
    assert.deepEqual(await liveTree(record), []);
  });

  test('the next attempt of a failed step resumes its thread on the server', async (t) => {
    const { agent, server, workspace } = await setUpCodex(
      t,
      { script: [httpError(429), text('RESUMED-DONE')] },
      { mode: 'app-server' },
    );
    const first = await runStep(agent, stepIn(workspace, 'Write the notes', { stepId: 'notes', attempt: 1 }));
    assert.equal(failureOf(first.result).code, 'RATE_LIMITED');
    const second = await runStep(
      agent,
      stepIn(workspace, 'Write the notes', { stepId: 'notes', attempt: 2 }),
    );
    assert.ok(second.result.ok, JSON.stringify(second.result));
    assert.equal(second.result.output, 'RESUMED-DONE');
    assert.equal(second.result.sessionId, first.result.sessionId);
    const resumed = server.modelRequests()[1];
    assert.ok(
      resumed?.messages.some((message) => message.role === 'user' && message.text === 'Write the notes'),
    );
    assert.match(resumed?.lastUserText ?? '', /^The previous attempt at this task stopped/);
  });

  test('a thread to resume that codex no longer has: the step starts afresh on the same server', async (t) => {
    const { agent, workspace } = await setUpCodex(
      t,
      { script: [text('FRESH-DONE')] },
      { mode: 'app-server' },
    );
    const step = stepIn(workspace, 'Write the notes');
    const task = { ...step.task, resumeSessionId: '01a21f3a-9b93-7082-b497-81e92f0cfc2d' };
    const result = await agent.run(task);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, 'FRESH-DONE');
    assert.notEqual(result.sessionId, task.resumeSessionId);
    assert.equal(step.processes.length, 2);
    assert.equal(step.processes[0]?.pid, step.processes[1]?.pid);
  });

  test('steps with the same own env reuse one pooled server started with it; another env gets its own', async (t) => {
    const write = (n: number) => [
      toolCall('exec_command', { cmd: `printf "$STEP_MARKER" > marker-${n}.txt` }),
      text(`MARKED-${n}`),
    ];
    const { agent, workspace } = await setUpCodex(
      t,
      { script: [...write(1), ...write(2), ...write(3)] },
      { mode: 'app-server' },
    );
    const one = stepIn(workspace, 'Write marker 1', {
      env: { STEP_MARKER: 'blue', AI_COLLAB_PORT_BASE: '20000' },
    });
    const two = stepIn(workspace, 'Write marker 2', {
      env: { AI_COLLAB_PORT_BASE: '20000', STEP_MARKER: 'blue' },
    });
    const three = stepIn(workspace, 'Write marker 3', {
      env: { STEP_MARKER: 'red', AI_COLLAB_PORT_BASE: '20100' },
    });
    for (const step of [one, two, three]) {
      const { result } = await runStep(agent, step);
      assert.ok(result.ok, JSON.stringify(result));
    }
    // Each server ran its commands with the step's own environment.
    assert.deepEqual(
      [1, 2, 3].map((n) => readFileSync(join(workspace, `marker-${n}.txt`), 'utf8')),
      ['blue', 'blue', 'red'],
    );
    assert.match(
      readFileSync(one.logFile, 'utf8'),
      /"method":"turn\/completed"/,
      'served by app-server, not exec',
    );
    const pid = (step: typeof one) => step.processes[0]?.pid;
    assert.ok(pid(one) !== undefined);
    assert.equal(pid(two), pid(one), 'the same env (in any order) reuses the warm server');
    assert.notEqual(pid(three), pid(one), 'another env never shares a server');
    assert.equal(agent.poolCount, 2);
    assert.equal(agent.poolStats(), undefined, 'the agent’s own pool (steps without env) started nothing');
  });
});
