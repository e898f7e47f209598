import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { AgentResult, AgentTask, SettledAttempt } from '../../../src/agents/agent.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { replayEvents } from '../../../src/engine/projection.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

function timerAgent(
  clock: FakeClock,
  durations: Record<string, number>,
  fail: (id: string, attempt: number) => boolean = () => false,
) {
  return new ScriptedAgent('timer', clock, (id, attempt) => ({
    durationMs: durations[id] ?? 1_000,
    ...(fail(id, attempt) && { fail: {} }),
  }));
}

test('among ready steps, the one heading the longest chain starts first', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, {
    short1: 5_000,
    short2: 5_000,
    chain1: 10_000,
    chain2: 10_000,
    chain3: 10_000,
  });
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf(
      [
        { id: 'short1', estimateMs: 5_000 },
        { id: 'short2', estimateMs: 5_000 },
        { id: 'chain1', estimateMs: 10_000 },
        { id: 'chain2', estimateMs: 10_000, needs: ['chain1'] },
        { id: 'chain3', estimateMs: 10_000, needs: ['chain2'] },
      ],
      { concurrency: 1 },
    ),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  // chain1 heads 30s of work; the short steps fill in after the chain is under way.
  assert.deepEqual(agent.starts(), ['chain1', 'chain2', 'chain3', 'short1', 'short2']);
});

test('a step starts the moment its last dependency succeeds, with no level barrier', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { quick: 1_000, slow: 10_000, after: 1_000 });
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'quick' }, { id: 'slow' }, { id: 'after', needs: ['quick'] }], { concurrency: 4 }),
    workspace: '/tmp',
    planFile: null,
  });
  const start = clock.now();
  await clock.runUntilSettled(engine.startRun(run.runId).done);
  // "after" starts at t=1s while "slow" (same level as "quick") still runs until t=10s.
  assert.deepEqual(agent.startTimes('after'), [start + 1_000]);
});

test('concurrency caps hold for the run and per agent', async () => {
  const clock = new FakeClock();
  const fast = new ScriptedAgent('fast', clock, () => ({ durationMs: 1_000 }));
  const slow = new ScriptedAgent('slow', clock, () => ({ durationMs: 1_000 }));
  const { engine } = createTestEngine({ clock, agents: [fast, slow], slots: { perAgent: { slow: 1 } } });
  const steps = [
    ...Array.from({ length: 10 }, (_, index) => ({ id: `f${index}`, agent: 'fast' })),
    ...Array.from({ length: 5 }, (_, index) => ({ id: `s${index}`, agent: 'slow' })),
  ];
  const run = engine.createRun({
    plan: planOf(steps, { concurrency: 3 }),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(slow.peakInFlight, 1, 'per-agent cap of 1');
  const all = [...fast.timeline, ...slow.timeline].sort((a, b) => a.at - b.at || (a.what === 'end' ? -1 : 1));
  let inFlight = 0;
  let peak = 0;
  for (const entry of all) {
    inFlight += entry.what === 'start' ? 1 : -1;
    peak = Math.max(peak, inFlight);
  }
  assert.equal(peak, 3, 'run concurrency of 3');
});

test('a transient failure is retried with exponential backoff and full jitter, then succeeds', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { flaky: 100 }, (_, attempt) => attempt <= 2);
  const { engine } = createTestEngine({ clock, agents: [agent], random: () => 0.5 });
  const run = engine.createRun({
    plan: planOf([{ id: 'flaky', retries: 3, backoff: { initialMs: 1_000, maxMs: 60_000, factor: 3 } }]),
    workspace: '/tmp',
    planFile: null,
  });
  const start = clock.now();
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.flaky?.attempts, 3);
  assert.equal(state.steps.flaky?.failures, 2);
  // Attempt 1 ends at 100; retry delay = 0.5 × 1000. Attempt 2 ends at 700; delay = 0.5 × 3000.
  assert.deepEqual(
    agent.startTimes('flaky').map((at) => at - start),
    [0, 600, 2_200],
  );
});

test('retries stop when the budget is spent; a permanent failure is never retried', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, (id) => ({
    durationMs: 10,
    fail: id === 'permanent' ? { kind: 'permanent', message: 'bad credentials' } : {},
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([
      { id: 'always', retries: 2, backoff: { initialMs: 10, maxMs: 10, factor: 1 } },
      { id: 'permanent', retries: 5 },
    ]),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.steps.always?.attempts, 3);
  assert.equal(state.steps.always?.status, 'failed');
  assert.equal(state.steps.permanent?.attempts, 1);
  assert.equal(state.steps.permanent?.error?.message, 'bad credentials');
});

test('a failed branch blocks only its own dependents; independent branches finish', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, {}, (id) => id === 'broken');
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([
      { id: 'root' },
      { id: 'broken', needs: ['root'] },
      { id: 'child', needs: ['broken'] },
      { id: 'grandchild', needs: ['child', 'fine'] },
      { id: 'fine', needs: ['root'] },
      { id: 'fine2', needs: ['fine'] },
    ]),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'failed');
  const statuses = Object.fromEntries(state.order.map((id) => [id, state.steps[id]?.status]));
  assert.deepEqual(statuses, {
    root: 'succeeded',
    broken: 'failed',
    child: 'blocked',
    grandchild: 'blocked',
    fine: 'succeeded',
    fine2: 'succeeded',
  });
  assert.equal(state.steps.child?.blockedBy, 'broken');
  assert.equal(state.steps.grandchild?.blockedBy, 'broken');
  assert.equal(agent.starts().includes('child'), false);
});

test('--fail-fast starts nothing after the first failure and cancels what never ran', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { bad: 100, long: 5_000 }, (id) => id === 'bad');
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'bad' }, { id: 'long' }, { id: 'later', needs: ['long'] }, { id: 'other' }], {
      concurrency: 2,
    }),
    workspace: '/tmp',
    planFile: null,
    failFast: true,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'failed');
  assert.equal(state.steps.long?.status, 'succeeded', 'running steps finish');
  assert.equal(state.steps.later?.status, 'cancelled');
  assert.equal(state.steps.other?.status, 'cancelled');
});

test('pause stops dispatch while running steps finish; resume continues', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { a: 1_000, b: 1_000 });
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: '/tmp',
    planFile: null,
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(10);
  engine.pause(run.runId);
  assert.equal(handle.state.status, 'paused');
  await clock.advance(60_000);
  assert.equal(handle.state.steps.a?.status, 'succeeded');
  assert.equal(handle.state.steps.b?.status, 'ready', 'nothing starts while paused');
  engine.resume(run.runId);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded');
  assert.equal(agent.startTimes('b')[0], (agent.startTimes('a')[0] as number) + 60_010);
});

test('a graceful stop lets running steps finish and leaves a run that resumes without re-running them', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { a: 1_000, b: 1_000, c: 1_000 });
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['b'] }]),
    workspace: '/tmp',
    planFile: null,
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(500);
  engine.stop(run.runId, 'graceful');
  const stopped = await clock.runUntilSettled(handle.done);
  assert.equal(stopped.status, 'interrupted');
  assert.equal(stopped.steps.a?.status, 'succeeded');
  assert.equal(stopped.steps.b?.status, 'ready');

  const second = createTestEngine({ clock, store, agents: [agent] });
  const resumed = await second.engine.resumeRun(run.runId);
  const state = await clock.runUntilSettled(resumed.done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(agent.starts(), ['a', 'b', 'c'], 'a ran once');
});

test('an immediate stop aborts running steps; they run again on resume', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { a: 10_000 });
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({ plan: planOf([{ id: 'a' }]), workspace: '/tmp', planFile: null });
  const handle = engine.startRun(run.runId);
  await clock.advance(100);
  engine.stop(run.runId, 'immediate');
  const stopped = await clock.runUntilSettled(handle.done);
  assert.equal(stopped.status, 'interrupted');
  assert.equal(stopped.steps.a?.status, 'interrupted');
  assert.equal(stopped.steps.a?.failures, 0, 'an interruption does not spend a retry');
  const second = createTestEngine({ clock, store, agents: [agent] });
  const state = await clock.runUntilSettled((await second.engine.resumeRun(run.runId)).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.a?.attempts, 2);
});

test('cancel kills running steps and cancels the rest', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, { a: 10_000 });
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: '/tmp',
    planFile: null,
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(100);
  engine.cancel(run.runId);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'cancelled');
  assert.deepEqual([state.steps.a?.status, state.steps.b?.status], ['cancelled', 'cancelled']);
});

test('a step that exceeds its timeout is aborted and counts as a failed attempt', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, (_, attempt) => ({
    durationMs: attempt === 1 ? 60_000 : 10,
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([
      { id: 'slow', timeoutMs: 5_000, retries: 1, backoff: { initialMs: 100, maxMs: 100, factor: 1 } },
    ]),
    workspace: '/tmp',
    planFile: null,
  });
  const start = clock.now();
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(agent.timeline.find((entry) => entry.what === 'abort')?.at, start + 5_000);
  assert.equal(state.steps.slow?.attempts, 2);
});

test('the stored log replays to exactly the live state', async () => {
  const clock = new FakeClock();
  const agent = timerAgent(clock, {}, (id, attempt) => id === 'x' && attempt === 1);
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'x', retries: 1 }, { id: 'y', needs: ['x'] }, { id: 'z' }]),
    workspace: '/tmp',
    planFile: null,
  });
  const live = await clock.runUntilSettled(engine.startRun(run.runId).done);
  const replayed = replayEvents(
    [...store.readEvents(run.runId)].map((event) => ({ ...event, runId: run.runId }) as RunEvent),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(replayed)), JSON.parse(JSON.stringify(live)));
});

test('a usage limit parks the step until its reset without spending a retry', async () => {
  const clock = new FakeClock();
  const resetAt = clock.now() + 3 * 60 * 60_000;
  const agent = new ScriptedAgent('timer', clock, (_, attempt) => ({
    durationMs: 10,
    ...(attempt === 1 && {
      fail: { code: 'USAGE_LIMIT', kind: 'usage-limit' as const, message: 'limit reached', resetAt },
    }),
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'busy', retries: 0 }]),
    workspace: '/tmp',
    planFile: null,
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(1_000);
  assert.equal(handle.state.steps.busy?.status, 'retrying');
  assert.equal(handle.state.steps.busy?.parkedReason, 'limit reached');
  assert.equal(handle.state.steps.busy?.failures, 0);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded', 'retries: 0, yet the step ran again after the reset');
  assert.deepEqual(
    agent.startTimes('busy').map((at) => at >= resetAt),
    [false, true],
  );
});

test('a rate-limited failure waits at least as long as the provider asked', async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const agent = new ScriptedAgent('timer', clock, (_, attempt) => ({
    durationMs: 10,
    ...(attempt === 1 && {
      fail: { code: 'RATE_LIMITED', kind: 'transient' as const, resetAt: start + 30_000 },
    }),
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'api', retries: 1, backoff: { initialMs: 100, maxMs: 100, factor: 1 } }]),
    workspace: '/tmp',
    planFile: null,
  });
  await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(agent.startTimes('api')[1], start + 30_000);
});

test('a 429 with no announced reset pauses its provider: every step on it waits for one shared backoff', async () => {
  const clock = new FakeClock();
  const start = clock.now();
  const limited = new ScriptedAgent('limited', clock, (id, attempt) => ({
    durationMs: 10,
    ...(id === 'first' && attempt === 1 && { fail: { code: 'RATE_LIMITED', kind: 'transient' as const } }),
  }));
  const other = new ScriptedAgent('other', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [limited, other], random: () => 0.5 });
  const run = engine.createRun({
    plan: planOf(
      [
        { id: 'first', agent: 'limited', retries: 1, backoff: { initialMs: 1, maxMs: 1, factor: 1 } },
        { id: 'second', agent: 'limited', needs: [] },
        { id: 'elsewhere', agent: 'other', needs: [] },
      ],
      { concurrency: 1 },
    ),
    workspace: '/tmp',
    planFile: null,
  });
  await clock.runUntilSettled(engine.startRun(run.runId).done);
  // The provider's first backoff is 1 s jittered over its upper half (750 ms at random 0.5), from t=10 ms:
  // neither the step's own 1 ms backoff nor the next step on the same provider goes before it.
  const resumesAt = start + 10 + 750;
  assert.deepEqual(limited.startTimes('first'), [start, resumesAt]);
  assert.ok(
    (limited.startTimes('second')[0] ?? 0) >= resumesAt,
    `second started at ${limited.startTimes('second')}`,
  );
  // A step on another provider is not held back.
  assert.equal(other.startTimes('elsewhere')[0], start + 10);
});

/** Which step and attempt an event is about, when it is about one. */
const attemptOf = z.object({ stepId: z.string(), attempt: z.number() });
const attemptEnds = new Set(['step.succeeded', 'step.attempt-failed', 'step.failed', 'step.interrupted']);

/** A scripted agent that keeps something per attempt for a resume, as a remote agent keeps its record. */
class KeepingAgent extends ScriptedAgent {
  /** `step#attempt<-interrupted attempt it was told it follows` ('-' for none), per start. */
  readonly told: string[] = [];
  /** `step#attempt:the outcome the log held for it when the agent was told it settled`. */
  readonly released: string[] = [];
  readonly #store: SqliteStore;

  constructor(clock: FakeClock, store: SqliteStore, script: ConstructorParameters<typeof ScriptedAgent>[2]) {
    super('timer', clock, script);
    this.#store = store;
  }

  override run(task: AgentTask): Promise<AgentResult> {
    this.told.push(`${task.stepId}#${task.attempt}<-${task.interruptedAttempt ?? '-'}`);
    return super.run(task);
  }

  async settled(attempt: SettledAttempt): Promise<void> {
    const logged = [...this.#store.readEvents(attempt.runId)].filter((event) => {
      const about = attemptOf.safeParse(event.data);
      return (
        attemptEnds.has(event.type) &&
        about.success &&
        about.data.stepId === attempt.stepId &&
        about.data.attempt === attempt.attempt
      );
    });
    this.released.push(`${attempt.stepId}#${attempt.attempt}:${logged.at(-1)?.type ?? 'nothing logged'}`);
  }
}

test('an agent is told an attempt settled only once its outcome is committed, never an interrupted one, whose next attempt is told it follows it', async () => {
  const clock = new FakeClock();
  const store = new SqliteStore({ path: ':memory:', clock });
  const agent = new KeepingAgent(clock, store, (id, attempt) => ({
    durationMs: id === 'a' ? 10_000 : 1_000,
    ...(id === 'b' && attempt === 1 && { fail: {} }),
  }));
  const { engine } = createTestEngine({ clock, store, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', retries: 1 }]),
    workspace: '/tmp',
    planFile: null,
  });
  const handle = engine.startRun(run.runId);
  await clock.advance(5_000);
  engine.stop(run.runId, 'immediate');
  const stopped = await clock.runUntilSettled(handle.done);
  assert.equal(stopped.steps.a?.status, 'interrupted');
  const second = createTestEngine({ clock, store, agents: [agent] });
  const state = await clock.runUntilSettled((await second.engine.resumeRun(run.runId)).done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(
    [...agent.released].sort(),
    ['a#2:step.succeeded', 'b#1:step.attempt-failed', 'b#2:step.succeeded'],
    'each attempt with an outcome was released after its commit; the interrupted a#1 never was',
  );
  assert.deepEqual(
    agent.told.filter((entry) => entry.startsWith('a#')),
    ['a#1<--', 'a#2<-1'],
    'the attempt after the interruption may take it over',
  );
  assert.deepEqual(
    agent.told.filter((entry) => entry.startsWith('b#')),
    ['b#1<--', 'b#2<--'],
    'a retry after a logged failure takes nothing over',
  );
});
