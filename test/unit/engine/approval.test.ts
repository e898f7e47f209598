import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { identify } from '../../../src/agents/process/proc-table.js';
import { CorruptEventError } from '../../../src/engine/decode-events.js';
import type { OwnerIdentity } from '../../../src/store/event-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { InputError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

const dayMs = 24 * 60 * 60_000;

/** Options for a run of these steps that waits for approval. */
function gated(steps: Parameters<typeof planOf>[0]) {
  return { plan: planOf(steps), workspace: '/w', planFile: null, approval: { reason: 'r' } };
}

test('a run awaiting approval never times out into a rejection, and runs once approved', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun(gated([{ id: 'a' }]));
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
  const run = first.engine.createRun(gated([{ id: 'a' }]));
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
  assert.equal(
    second.engine.decide(run.runId, { decision: 'approved', by: 'late' }),
    false,
    'a late decision is not counted',
  );
  other.close();
});

test('an edited plan approved in its place is what runs', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun(gated([{ id: 'a' }, { id: 'b' }]));
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
  const run = engine.createRun(gated([{ id: 'a' }]));
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

test('a damaged event appended while a run waits for approval ends the wait with the store error, not a crash', async () => {
  const clock = new FakeClock();
  const path = join(tempDir(), 'state.db');
  const store = new SqliteStore({ path, clock });
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, store, agents: [agent] });
  const run = engine.createRun(gated([{ id: 'a' }]));
  const handle = engine.startRun(run.runId);
  await clock.advance(1_000);
  // Another process (or a hand edit) writes an event this version cannot read into the waiting run's log.
  const raw = new Database(path);
  raw
    .prepare(
      "INSERT INTO events (run_id, seq, type, at, data) VALUES (?, ?, 'run.approval-decided', 0, '{}')",
    )
    .run(run.runId, handle.state.lastSeq + 1);
  raw.prepare('UPDATE runs SET last_seq = last_seq + 1 WHERE run_id = ?').run(run.runId);
  raw.close();
  // The next poll reads it: the timer itself must not throw (a real timer's throw would kill the process).
  const settled = handle.done.then(
    () => undefined,
    (error: unknown) => error,
  );
  await clock.advance(10_000);
  await assert.rejects(handle.done, (thrown: unknown) => {
    assert.ok(thrown instanceof CorruptEventError);
    assert.match(thrown.message, /not a valid run\.approval-decided/);
    return true;
  });
  assert.ok((await settled) instanceof CorruptEventError);
  assert.equal(agent.starts().length, 0, 'nothing ran on a decision it could not read');
});

/** A run that ended failed: `flaky` failed (until `fix`), `after` is blocked by it, `other` succeeded. */
async function failedRun(clock: FakeClock) {
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
  return {
    agent,
    engine,
    store,
    run,
    fix: () => {
      broken = false;
    },
  };
}

test('a failed step of a finished run can be retried; its blocked dependents run too', async () => {
  const clock = new FakeClock();
  const { agent, store, run, fix } = await failedRun(clock);
  fix();
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

/** This test process as an owner: alive, so another engine sees the run as waited for. */
function liveOwner(): OwnerIdentity {
  const self = identify(process.pid);
  assert.ok(self);
  return { pid: process.pid, startTime: self.startTime, bootId: self.bootId, host: 'test' };
}

test('an approval nobody waits for starts the run in the approving process, once; the log says so at once', async () => {
  const clock = new FakeClock();
  const path = join(tempDir(), 'state.db');
  const store = new SqliteStore({ path, clock });
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const planner = createTestEngine({ clock, store, agents: [agent] });
  const run = planner.engine.createRun(gated([{ id: 'a' }]));
  // The process that created it is gone: nobody waits for the decision.
  const approver = createTestEngine({ clock, store: new SqliteStore({ path, clock }), agents: [agent] });
  const outcome = await approver.engine.decideRun(run.runId, { decision: 'approved', by: 'cli' });
  assert.equal(outcome.counted && outcome.decision === 'approved' && outcome.runsIn, 'this-process');
  const events = [...store.readEvents(run.runId)].map((event) => event.type);
  assert.deepEqual(events.slice(0, 3), ['run.created', 'run.approval-requested', 'run.approval-decided']);
  assert.ok(outcome.counted && outcome.decision === 'approved' && outcome.runsIn === 'this-process');
  const state = await clock.runUntilSettled(outcome.handle.done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.approvedBy, 'cli');
  assert.deepEqual(agent.starts(), ['a'], 'ran exactly once');
  assert.equal(
    (await approver.engine.decideRun(run.runId, { decision: 'approved', by: 'late' })).counted,
    false,
  );
});

test('an approval while another live process waits: that process runs it, the approver does not', async () => {
  const clock = new FakeClock();
  const path = join(tempDir(), 'state.db');
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const waiting = createTestEngine({
    clock,
    store: new SqliteStore({ path, clock }),
    agents: [agent],
    owner: liveOwner(),
  });
  const run = waiting.engine.createRun(gated([{ id: 'a' }]));
  const handle = waiting.engine.startRun(run.runId);
  await clock.advance(1);
  const approver = createTestEngine({ clock, store: new SqliteStore({ path, clock }), agents: [agent] });
  const outcome = await approver.engine.decideRun(run.runId, { decision: 'approved', by: 'mcp' });
  assert.ok(outcome.counted && outcome.decision === 'approved');
  assert.equal(outcome.runsIn, 'waiting-process');
  assert.equal(approver.engine.activeRun(run.runId), undefined, 'the approver runs nothing');
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(agent.starts(), ['a']);
});

test('approve --detach leaves an approved run that resume starts', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun(gated([{ id: 'a' }]));
  const outcome = await engine.decideRun(run.runId, { decision: 'approved', by: 'cli' }, { start: false });
  assert.ok(outcome.counted && outcome.decision === 'approved' && outcome.runsIn === 'not-started');
  assert.equal(store.getRun(run.runId)?.status, 'pending');
  assert.deepEqual(
    engine.resumableRuns('/w').map((record) => record.runId),
    [run.runId],
  );
  const state = await clock.runUntilSettled((await engine.resumeRun(run.runId)).done);
  assert.equal(state.status, 'succeeded');
});

test('the pre-flight runs before every start: create, approve, resume and retry', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, (id) => ({
    durationMs: 10,
    ...(id === 'b' && { fail: { kind: 'permanent' as const } }),
  }));
  let refuse = false;
  const checked: string[][] = [];
  const preflight = (_plan: unknown, steps: readonly { id: string }[]): void => {
    checked.push(steps.map((step) => step.id));
    if (refuse) throw new InputError('PLAN_INVALID', 'agent "timer" cannot run: no credentials');
  };
  const { engine } = createTestEngine({ clock, agents: [agent], preflight });
  const run = engine.createRun(gated([{ id: 'a' }, { id: 'b' }]));
  refuse = true;
  assert.throws(() => engine.decide(run.runId, { decision: 'approved', by: 'cli' }), /no credentials/);
  refuse = false;
  const outcome = await engine.decideRun(run.runId, { decision: 'approved', by: 'cli' });
  assert.ok(outcome.counted && outcome.decision === 'approved' && outcome.runsIn === 'this-process');
  const failed = await clock.runUntilSettled(outcome.handle.done);
  assert.equal(failed.status, 'failed');
  refuse = true;
  await assert.rejects(engine.retrySteps(run.runId, [], 'cli'), /no credentials/);
  assert.equal(engine.getRunState(run.runId)?.steps.b?.status, 'failed', 'a refused retry records nothing');
  assert.deepEqual(checked.at(-1), ['b'], 'only the steps still to run are checked');
  assert.ok(checked.length >= 4);
});

test('a retried step keeps its history: attempts go on, failures are not forgotten, the budget is fresh', async () => {
  const clock = new FakeClock();
  let broken = true;
  const agent = new ScriptedAgent('timer', clock, () => ({
    durationMs: 10,
    ...(broken && { fail: { kind: 'transient' as const } }),
  }));
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'flaky', retries: 2, backoff: { initialMs: 10, maxMs: 10, factor: 1 } }]),
    workspace: '/w',
    planFile: null,
  });
  const failed = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(failed.steps.flaky?.attempts, 3);
  assert.equal(failed.steps.flaky?.failures, 3);
  const second = createTestEngine({ clock, store, agents: [agent] });
  const again = await second.engine.retrySteps(run.runId, [], 'cli');
  assert.ok(again);
  const stillFailing = await clock.runUntilSettled(again.done);
  assert.equal(stillFailing.steps.flaky?.attempts, 6, 'the retry had a fresh budget of 2 retries');
  assert.equal(stillFailing.steps.flaky?.failures, 6);
  broken = false;
  const third = createTestEngine({ clock, store, agents: [agent] });
  const last = await third.engine.retrySteps(run.runId, ['flaky'], 'cli');
  assert.ok(last);
  const state = await clock.runUntilSettled(last.done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.flaky?.attempts, 7);
  assert.equal(state.steps.flaky?.failures, 6, 'attempts 7 (6 failed), not (0 failed)');
});

test('retry with no step named brings back the failed and blocked steps; --detach leaves it for resume', async () => {
  const clock = new FakeClock();
  const { agent, engine, store, run, fix } = await failedRun(clock);
  fix();
  assert.equal(await engine.retrySteps(run.runId, [], 'cli', { start: false }), undefined);
  assert.equal(store.getRun(run.runId)?.status, 'interrupted');
  const retried = [...store.readEvents(run.runId)]
    .filter((event) => event.type === 'step.retry-requested')
    .map((event) => (event.data as { stepId: string }).stepId);
  assert.deepEqual(retried, ['flaky']);
  const state = await clock.runUntilSettled((await engine.resumeRun(run.runId)).done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(agent.starts(), ['flaky', 'other', 'flaky', 'after']);
});
