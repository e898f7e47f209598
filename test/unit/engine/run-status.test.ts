/** A run's status as the run index keeps it (text): an ended run is neither resumed nor given more budget. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasEnded, isRunStatus } from '../../../src/engine/run-state.js';
import { isInputError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('only succeeded, failed and cancelled say a run ended; a status this version does not know never does', () => {
  assert.deepEqual(
    ['succeeded', 'failed', 'cancelled', 'running', 'paused', 'interrupted', 'awaiting_approval'].map(
      hasEnded,
    ),
    [true, true, true, false, false, false, false],
  );
  assert.equal(isRunStatus('paused'), true);
  assert.equal(isRunStatus('archived'), false, 'a status of a newer version');
  assert.equal(hasEnded('archived'), false);
});

test('resuming a run that ended, or raising its budget, is refused, naming how it ended', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 1_000 }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({ plan: planOf([{ id: 'a' }]), workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  await assert.rejects(engine.resumeRun(run.runId), (error: unknown) => {
    assert.ok(isInputError(error));
    assert.equal(error.code, 'RUN_NOT_RESUMABLE');
    assert.equal(error.message, `run ${run.runId} already ended (succeeded); nothing to resume`);
    return true;
  });
  await assert.rejects(engine.setBudget(run.runId, { usd: 5 }, 'test'), (error: unknown) => {
    assert.ok(isInputError(error));
    assert.equal(error.code, 'RUN_NOT_RESUMABLE');
    assert.equal(error.message, `run ${run.runId} already ended (succeeded)`);
    return true;
  });
});
