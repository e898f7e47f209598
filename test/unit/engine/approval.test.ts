import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

const dayMs = 24 * 60 * 60_000;

test('a run awaiting approval never times out into a rejection, and runs once approved', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'policy always' },
  });
  assert.equal(run.status, 'awaiting_approval');
  const handle = engine.startRun(run.runId);
  await clock.advance(3 * dayMs);
  assert.equal(handle.state.status, 'awaiting_approval', 'still waiting after three days');
  assert.equal(agent.starts().length, 0, 'nothing ran without approval');
  assert.equal(engine.decide(run.runId, { decision: 'approved', by: 'terminal' }), true);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.approvedBy, 'terminal');
});

test('two approvers at once: exactly one decision counts', async () => {
  const clock = new FakeClock();
  const path = join(tempDir(), 'state.db');
  const store = new SqliteStore({ path, clock });
  const other = new SqliteStore({ path, clock });
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const first = createTestEngine({ clock, store, agents: [agent] });
  const second = createTestEngine({ clock, store: other, agents: [agent] });
  const run = first.engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'r' },
  });
  const handle = first.engine.startRun(run.runId);
  const results = [
    second.engine.decide(run.runId, { decision: 'rejected', by: 'dashboard' }),
    first.engine.decide(run.runId, { decision: 'approved', by: 'terminal' }),
  ];
  assert.deepEqual(results, [true, false]);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'cancelled', 'the first decision (a rejection from another process) won');
  assert.deepEqual(state.rejected, { by: 'dashboard' });
  assert.equal(agent.starts().length, 0);
  assert.throws(
    () => second.engine.decide(run.runId, { decision: 'approved', by: 'late' }),
    /not waiting for approval/,
  );
  other.close();
});

test('an edited plan approved in its place is what runs', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b' }]),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'r' },
  });
  const handle = engine.startRun(run.runId);
  engine.decide(run.runId, {
    decision: 'approved',
    by: 'dashboard',
    plan: planOf([{ id: 'a' }, { id: 'c', needs: ['a'] }]),
  });
  const state = await clock.runUntilSettled(handle.done);
  assert.deepEqual(state.order, ['a', 'c']);
  assert.deepEqual(agent.starts(), ['a', 'c']);
});

test('a stopped wait leaves the run awaiting approval, and another process can pick it up', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'r' },
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(1_000);
  engine.stop(run.runId, 'graceful');
  const waiting = await clock.runUntilSettled(handle.done);
  assert.equal(waiting.status, 'awaiting_approval');
  const second = createTestEngine({ clock, store, agents: [agent] });
  second.engine.decide(run.runId, { decision: 'approved', by: 'mcp' });
  const state = await clock.runUntilSettled((await second.engine.resumeRun(run.runId)).done);
  assert.equal(state.status, 'succeeded');
});

test('a failed step of a finished run can be retried; its blocked dependents run too', async () => {
  const clock = new FakeClock();
  let broken = true;
  const agent = new ScriptedAgent('timer', clock, (id) => ({
    durationMs: 10,
    ...(id === 'flaky' && broken && { fail: { kind: 'permanent' as const } }),
  }));
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'flaky' }, { id: 'after', needs: ['flaky'] }, { id: 'other' }]),
    workspace: '/w',
    planFile: null,
  });
  const failed = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.steps.after?.status, 'blocked');
  broken = false;
  const second = createTestEngine({ clock, store, agents: [agent] });
  const handle = await second.engine.retryStep(run.runId, 'flaky', 'dashboard');
  assert.ok(handle);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(
    agent.starts(),
    ['flaky', 'other', 'flaky', 'after'],
    'the succeeded step did not run again',
  );
});
