import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Agent, AgentResult, AgentTask } from '../../../src/agents/agent.js';
import { buildRunReport } from '../../../src/cli/run-report.js';
import { EventDecoder, isKnownEvent } from '../../../src/engine/decode-events.js';
import { stripRunId } from '../../../src/server/stream/hub-port.js';
import { AttemptLog } from '../../../src/server/stream/step-attempts.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

/**
 * Stands in for distributed mode's remote agent: `flaky`'s first attempt is taken by w1, stalls and is
 * re-run by w2, then fails; its retry runs here (as a step of a local agent does). `steady` runs on w3.
 */
class PlacedAgent implements Agent {
  readonly name = 'timer';

  async run(task: AgentTask): Promise<AgentResult> {
    if (task.stepId === 'steady') {
      task.onRemoteFact?.({ type: 'placed', worker: 'w3', host: 'host-c' });
      return { ok: true, output: 'done' };
    }
    if (task.attempt > 1) return { ok: true, output: 'done here' };
    task.onRemoteFact?.({ type: 'placed', worker: 'w1', host: 'host-a' });
    task.onRemoteFact?.({ type: 'placed', worker: 'w2', host: 'host-b' });
    return { ok: false, failure: { code: 'EXIT_CODE', kind: 'transient', message: 'failed on w2' } };
  }
}

test("the log names the worker of each attempt; a step's state names the current attempt's, status --json too", async () => {
  const clock = new FakeClock();
  const { engine, store } = createTestEngine({ clock, agents: [new PlacedAgent()] });
  const run = engine.createRun({
    plan: planOf([
      { id: 'flaky', retries: 1, backoff: { initialMs: 10, maxMs: 10, factor: 1 } },
      { id: 'steady' },
    ]),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  // The retry ran here: the worker of the earlier attempt is not shown as the current one's.
  assert.equal(state.steps.flaky?.worker, undefined);
  assert.deepEqual(state.steps.steady?.worker, { worker: 'w3', host: 'host-c' });
  const report = buildRunReport(state);
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.worker?.worker]),
    [
      ['flaky', undefined],
      ['steady', 'w3'],
    ],
  );
  const attempts = new AttemptLog('flaky');
  for (const event of new EventDecoder(silentLogger).decode(store.readEvents(run.runId), run.runId))
    if (isKnownEvent(event)) attempts.add(stripRunId(event));
  assert.deepEqual(
    attempts.attempts.map((attempt) => [
      attempt.attempt,
      attempt.outcome,
      attempt.workers.map((w) => w.worker),
    ]),
    [
      [1, 'retried', ['w1', 'w2']],
      [2, 'succeeded', []],
    ],
  );
});
