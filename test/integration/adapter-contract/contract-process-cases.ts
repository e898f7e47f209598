// The contract's cases about the processes a step runs on: a timeout and a cancel leave nothing behind, a
// turn stopped mid-stream ends there and leaves the agent usable, a pool reuses a process and recycles it.
import assert from 'node:assert/strict';
import type { ProcessStartRecord } from '../../../src/agents/agent.js';
import { waitFor } from '../../support/cli.js';
import { FakeClock } from '../../support/fake-clock.js';
import type { ModelServer } from '../../support/model-server/index.js';
import { text } from '../../support/model-server/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';
import { liveTree } from '../codex-harness.js';
import type { ContractAdapter } from './contract-adapters.js';
import { type Case, failureOf, slowAnswer, slowInstruction, stepFor, treesGone } from './contract-steps.js';

export type ProcessCase =
  | 'timeout-leaves-no-process'
  | 'cancel-leaves-no-process'
  | 'aborted-mid-stream'
  | 'pool-reuses-and-recycles';

/** A guard against a hang, not a bound: gemini takes over 20 s to reach the model on a loaded machine. */
const startGuardMs = 180_000;

/** The step has reached its work: the shell's command runs, or the model was asked. */
function started(adapter: ContractAdapter, server: ModelServer, processes: () => number) {
  return adapter.kind === 'shell' ? () => processes() > 0 : () => modelCalls(server).length > 0;
}

/**
 * What a stopped step leaves: a one-shot process is gone, its whole tree, by the time the step returns; the
 * model call it was waiting on was dropped, never answered. A pooled worker may stay warm for the next
 * step (its idle tree only); once the agent closes, nothing the step ran on is left, pooled or not.
 */
async function nothingLeft(
  adapter: ContractAdapter,
  server: ModelServer,
  agent: { close?(): Promise<void> },
  processes: readonly ProcessStartRecord[],
): Promise<void> {
  if (adapter.cases['pool-reuses-and-recycles'] !== true) {
    for (const record of processes)
      assert.deepEqual(await liveTree(record), [], 'left when the step returned');
  }
  if (adapter.kind !== 'shell') {
    assert.equal(modelCalls(server)[0]?.answeredAt, undefined, 'the step waited for the model to answer');
  }
  await agent.close?.();
  await treesGone(processes);
}

/** The server's record of each model call (auxiliary side calls left out), with when it was answered. */
function modelCalls(server: ModelServer) {
  return server.requests.filter((request) => request.model && !request.model.auxiliary);
}

export const processCases: Record<ProcessCase, Case> = {
  // Through the engine, as a user's step: its timeout (on a fake clock) aborts the agent mid-step.
  'timeout-leaves-no-process': async (adapter, t) => {
    const { agent, server, workspace } = await adapter.setUp(t, [slowAnswer]);
    const clock = new FakeClock();
    const { engine } = createTestEngine({ clock, agents: [agent], stateDir: tempDir('ai-collab-contract-') });
    const timeoutMs = 10 * 60_000;
    const instruction = slowInstruction(adapter);
    const work = adapter.kind === 'shell' ? { run: instruction } : { prompt: instruction };
    const plan = planOf([{ id: 'slow', agent: agent.name, timeoutMs, ...work }]);
    const handle = engine.startRun(engine.createRun({ plan, workspace, planFile: null }).runId);
    const processes: ProcessStartRecord[] = [];
    handle.subscribe((event) => {
      if (event.type === 'step.process-started')
        processes.push({ ...event.data.process, logFile: event.data.logFile });
    });
    await waitFor(
      started(adapter, server, () => processes.length),
      'the step to start',
      startGuardMs,
    );
    await clock.advance(timeoutMs);
    const state = await handle.done;
    assert.equal(state.steps.slow?.status, 'failed');
    assert.deepEqual(
      [state.steps.slow?.error?.code, state.steps.slow?.error?.kind],
      ['TIMEOUT', 'transient'],
    );
    assert.ok(processes.length > 0, 'the step reported its process');
    await nothingLeft(adapter, server, agent, processes);
  },
  'cancel-leaves-no-process': async (adapter, t) => {
    const { agent, server, workspace } = await adapter.setUp(t, [slowAnswer]);
    const step = stepFor(adapter, workspace, slowInstruction(adapter));
    const running = agent.run(step.task);
    await waitFor(
      started(adapter, server, () => step.processes.length),
      'the step to start',
      startGuardMs,
    );
    step.controller.abort();
    assert.equal(failureOf(await running).code, 'ABORTED');
    assert.ok(step.processes.length > 0, 'the step reported its process');
    await nothingLeft(adapter, server, agent, step.processes);
  },
  'aborted-mid-stream': async (adapter, t) => {
    let setupWorkspace = '';
    const { agent, server, workspace } = await adapter.setUp(t, (request) => {
      if (request.lastUserText.includes('NEXT-STEP')) return text('NEXT-DONE');
      if (request.pendingToolResults.length > 0) return slowAnswer;
      return adapter.writeTurn(setupWorkspace, 'midway.txt', 'written before the abort\n');
    });
    setupWorkspace = workspace;
    const step = stepFor(adapter, workspace, adapter.writePrompt('midway.txt', 'written before the abort'));
    const running = agent.run(step.task);
    // Mid-turn: the tool ran, its result went back, and the model is still answering.
    await waitFor(() => modelCalls(server).length >= 2, 'the tool result to reach the model', startGuardMs);
    step.controller.abort();
    assert.equal(failureOf(await running).code, 'ABORTED');
    assert.equal(modelCalls(server)[1]?.answeredAt, undefined, 'the step waited for the model to answer');
    const types = step.parts.map((part) => part.type);
    if (adapter.cases['stream-parts-in-order'] === true)
      assert.ok(types.includes('tool-call'), `the parts before the abort arrived: ${types.join(',')}`);
    const partsAtAbort = step.parts.length;
    // The agent is still usable, and the next step gets its own answer, not the rest of the stopped turn.
    const next = stepFor(adapter, workspace, 'NEXT-STEP');
    const after = await agent.run(next.task);
    assert.ok(after.ok && after.output.includes('NEXT-DONE'), JSON.stringify(after));
    assert.equal(step.parts.length, partsAtAbort, 'nothing of the stopped turn arrived after it ended');
  },
  // The contract's pool (contract-adapters.ts) is one process for at most two steps.
  'pool-reuses-and-recycles': async (adapter, t) => {
    const { agent, workspace } = await adapter.setUp(t, () => text('POOLED-DONE'));
    const records: ProcessStartRecord[] = [];
    for (const prompt of ['First', 'Second', 'Third']) {
      const step = stepFor(adapter, workspace, prompt);
      const result = await agent.run(step.task);
      assert.ok(result.ok, JSON.stringify(result));
      records.push(step.processes[0] ?? assert.fail(`${prompt}: no process reported`));
    }
    const [first, second, third] = records;
    assert.equal(second?.pid, first?.pid, 'the second step ran on the warm process of the first');
    assert.notEqual(third?.pid, first?.pid, 'after its two uses the process was recycled');
    await treesGone(records.slice(0, 1));
  },
};
