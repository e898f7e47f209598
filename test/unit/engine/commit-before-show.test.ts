import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { OrchestratorError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { refuseSuccessCommitOf } from '../../support/refuse-commit.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('no listener hears of an event whose commit failed, and resume re-runs only what was not committed', async () => {
  const path = join(tempDir(), 'state.db');
  const clock = new FakeClock();
  const plan = planOf([{ id: 'first' }, { id: 'fill', needs: ['first'] }, { id: 'after', needs: ['fill'] }]);

  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 1_000 }));
  const store = new SqliteStore({ path, clock });
  const { engine } = createTestEngine({ clock, store, agents: [agent] });
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const freeSpace = refuseSuccessCommitOf(path, 'fill', 'database or disk is full');
  const handle = engine.startRun(run.runId);
  const shown: Array<{ seq: number; type: string }> = [];
  handle.subscribe((event) => shown.push({ seq: event.seq, type: event.type }));

  await assert.rejects(clock.runUntilSettled(handle.done), (error: unknown) => {
    assert.ok(error instanceof OrchestratorError && error.code === 'STORE_FAILED', String(error));
    assert.match(error.message, new RegExp(`state database ${path}`));
    return true;
  });
  store.close();

  const stored = [...new SqliteStore({ path, clock }).readEvents(run.runId)];
  const succeeded = (events: Array<{ type: string; data?: unknown }>) =>
    events.filter((event) => event.type === 'step.succeeded').length;
  assert.equal(succeeded(stored), 1, 'only `first` is recorded as succeeded');
  assert.equal(succeeded(shown), 1, 'what was shown is what was committed: `fill` never showed as succeeded');
  // Every event shown is in the log, in order, and everything in the log since the subscription was shown.
  const firstShown = shown[0]?.seq ?? 0;
  assert.deepEqual(
    shown,
    stored.filter((event) => event.seq >= firstShown).map((event) => ({ seq: event.seq, type: event.type })),
  );

  freeSpace();
  const again = new ScriptedAgent('timer', clock, () => ({ durationMs: 1_000 }));
  const resumed = createTestEngine({ clock, store: new SqliteStore({ path, clock }), agents: [again] });
  // Resuming reads and writes the store for real (not on the fake clock): the run is driven once it is back.
  const handleAgain = await resumed.engine.resumeRun(run.runId);
  const state = await clock.runUntilSettled(handleAgain.done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(again.starts(), ['fill', 'after'], '`first` was committed and does not run again');
});
