import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../../src/engine/events.js';
import { replayEvents } from '../../../src/engine/projection.js';
import type { RunState } from '../../../src/engine/run-state.js';
import { FakeClock, pump } from '../../support/fake-clock.js';
import { seededRandom } from '../../support/seeded-random.js';
import { SpendingAgent } from '../../support/spending-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

function eventsOf(store: { readEvents(runId: string): Iterable<unknown> }, runId: string): RunEvent[] {
  return [...store.readEvents(runId)] as RunEvent[];
}

function tenCentSteps(clock: FakeClock, durationMs = 1_000) {
  return new SpendingAgent('timer', clock, () => ({
    durationMs,
    usage: { inputTokens: 1_000, outputTokens: 100, costUsd: 0.1 },
  }));
}

test('a run pauses at its budget without failing anything, and continues when the budget is raised', async () => {
  const clock = new FakeClock();
  const agent = tenCentSteps(clock);
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const plan = {
    ...planOf(
      ids.map((id) => ({ id })),
      { concurrency: 2 },
    ),
    budget: { usd: 0.25 },
  };
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const paused = await clock.runUntilSettled(engine.startRun(run.runId).done);

  assert.equal(paused.status, 'paused');
  assert.equal(paused.counts.failed, 0);
  // Two steps ran, then the next $0.10 (the median of what this run's steps cost) would pass $0.25.
  assert.equal(paused.counts.succeeded, 2);
  assert.ok(Math.abs((paused.spent?.usd ?? 0) - 0.2) < 1e-9);
  const reached = eventsOf(store, run.runId).filter((event) => event.type === 'run.budget-reached');
  assert.equal(reached.length, 1);
  assert.deepEqual(paused.budgetReached?.budget, { usd: 0.25 });
  assert.equal(paused.budgetReached?.waiting, 4);
  assert.equal(store.getRun(run.runId)?.owner, null, 'the run is left for whoever raises its budget');

  const handle = await engine.setBudget(run.runId, { usd: 1 }, 'test');
  assert.ok(handle, 'raised, the run continues here');
  const finished = await clock.runUntilSettled(handle.done);
  assert.equal(finished.status, 'succeeded');
  assert.equal(finished.counts.succeeded, 6);
  assert.ok(Math.abs((finished.spent?.usd ?? 0) - 0.6) < 1e-9);
  assert.deepEqual(finished.budget, { usd: 1 });
  assert.equal(agent.starts.length, 6, 'no step ran twice: nothing was lost at the pause');
  // Replaying the log gives the same spend every front end shows.
  assert.deepEqual(replayEvents(eventsOf(store, run.runId))?.spent, finished.spent);
});

test('overspend past a budget is at most what was already running when it was reached', async () => {
  for (let seed = 1; seed <= 25; seed++) {
    const random = seededRandom(seed);
    const clock = new FakeClock();
    const costs = new Map<string, number>();
    const agent = new SpendingAgent('timer', clock, (stepId) => {
      const costUsd = costs.get(stepId) ?? 0;
      return {
        durationMs: 500 + Math.floor(random() * 5_000),
        usage: { inputTokens: 10, outputTokens: 10, costUsd },
      };
    });
    const ids = Array.from({ length: 20 }, (_, index) => `s${index}`);
    for (const id of ids) costs.set(id, Math.round(random() * 100) / 100);
    const { engine, store } = createTestEngine({ clock, agents: [agent] });
    const budget = 0.5 + random() * 2;
    const plan = {
      ...planOf(
        ids.map((id) => ({ id })),
        { concurrency: 4 },
      ),
      budget: { usd: budget },
    };
    const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
    const state = await clock.runUntilSettled(engine.startRun(run.runId).done);

    const events = eventsOf(store, run.runId);
    let spent = 0;
    let reachedAt: number | undefined;
    const running = new Set<string>();
    let runningWhenReached = new Set<string>();
    for (const event of events) {
      if (event.type === 'step.started') {
        assert.equal(
          reachedAt,
          undefined,
          `seed ${seed}: ${event.data.stepId} started after the budget was reached`,
        );
        running.add(event.data.stepId);
      }
      if (event.type === 'step.succeeded') {
        spent += event.data.usage?.costUsd ?? 0;
        // The step whose end reached the budget was running then too.
        if (reachedAt === undefined && spent >= budget) {
          reachedAt = event.seq;
          runningWhenReached = new Set(running);
        }
        running.delete(event.data.stepId);
      }
    }
    const overspend = spent - budget;
    const bound = [...runningWhenReached].reduce((sum, id) => sum + (costs.get(id) ?? 0), 0);
    assert.ok(
      overspend <= bound + 1e-9,
      `seed ${seed}: overspent ${overspend}, running at the time ${bound}`,
    );
    assert.ok(state.status === 'paused' || state.status === 'succeeded', `seed ${seed}: ${state.status}`);
    assert.equal(state.counts.failed, 0);
  }
});

test('a step past its own cap is stopped at once, fails as BUDGET and is not retried', async () => {
  const clock = new FakeClock();
  const agent = new SpendingAgent('timer', clock, () => ({
    durationMs: 10_000,
    midway: { inputTokens: 5_000, outputTokens: 500, costUsd: 0.3 },
    usage: { inputTokens: 10_000, outputTokens: 1_000, costUsd: 0.6 },
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const plan = planOf([
    { id: 'capped', retries: 2, budget: { usd: 0.2 } },
    { id: 'after', needs: ['capped'] },
  ]);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const started = clock.now();
  // The live report is written to the attempt's transcript (real I/O): the clock is driven meanwhile.
  const state = await pump(clock, engine.startRun(run.runId).done);
  const capped = state.steps.capped as RunState['steps'][string];
  assert.equal(capped.status, 'failed');
  assert.equal(capped.error?.code, 'BUDGET');
  assert.match(capped.error?.message ?? '', /past its budget of \$0\.20/);
  assert.equal(capped.attempts, 1, 'not retried');
  // Stopped at the report that passed the cap (half-way), not when the attempt would have ended.
  assert.ok((capped.finishedAt ?? Number.POSITIVE_INFINITY) < started + 10_000, 'stopped before its end');
  assert.equal(state.steps.after?.status, 'blocked');
  assert.ok(Math.abs((state.spent?.usd ?? 0) - 0.3) < 1e-9, 'what it spent until stopped counts');
});

test('a token budget holds steps the same way', async () => {
  const clock = new FakeClock();
  const agent = tenCentSteps(clock);
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const plan = {
    ...planOf([{ id: 'a' }, { id: 'b' }, { id: 'c' }], { concurrency: 1 }),
    budget: { tokens: 2_000 },
  };
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'paused');
  assert.equal(state.counts.succeeded, 1, 'the second 1,100 tokens would pass 2,000');
  assert.equal(state.spent?.tokens, 1_100);
});

test('tokens of a priced model cost tokens × the price table; an unknown model says cost unknown', async () => {
  const clock = new FakeClock();
  const tokensOnly = (name: string) =>
    new SpendingAgent(name, clock, () => ({
      durationMs: 1_000,
      usage: { inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000 },
    }));
  const priced = tokensOnly('priced');
  const unknown = tokensOnly('unknown');
  const { engine, registry } = createTestEngine({ clock, agents: [] });
  registry.register('priced', priced, { model: 'gpt-5-2025-08-07' });
  registry.register('unknown', unknown, { model: 'scripted-model' });
  const plan = planOf([
    { id: 'p', agent: 'priced' },
    { id: 'u', agent: 'unknown' },
  ]);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  const p = state.steps.p?.usage;
  // gpt-5: $1.25 per million input, $0.125 cached, $10 output.
  assert.ok(Math.abs((p?.costUsd ?? 0) - (0.6 * 1.25 + 0.4 * 0.125 + 0.1 * 10)) < 1e-9, JSON.stringify(p));
  assert.equal(p?.costSource, 'price-table');
  assert.equal(p?.model, 'gpt-5-2025-08-07');
  const u = state.steps.u?.usage;
  assert.equal(u?.costUsd, undefined, 'never a made-up figure');
  assert.equal(u?.costUnknown, true);
  assert.equal(u?.model, 'scripted-model');
  assert.equal(state.spent?.uncostedTokens, 1_100_000);
});

test('the forecast is the spread of past steps of the same agent and action; others have no history yet', async () => {
  const clock = new FakeClock();
  const cost: Record<string, number> = { a: 0.1, b: 0.2, c: 0.3, d: 0.4, e: 0.5 };
  const agent = new SpendingAgent('timer', clock, (stepId) => ({
    durationMs: 1_000,
    usage: { inputTokens: 100, outputTokens: 10, costUsd: cost[stepId] ?? 0 },
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const past = planOf(Object.keys(cost).map((id) => ({ id, action: 'edit' as const })));
  const run = engine.createRun({ plan: past, workspace: '/tmp', planFile: null });
  await clock.runUntilSettled(engine.startRun(run.runId).done);

  const next = planOf([
    { id: 'x', action: 'edit' },
    { id: 'y', action: 'edit', budget: { usd: 0.25 } },
    { id: 'z', action: 'analyze' },
    { id: 'sh', agent: 'shell', run: 'true' },
  ]);
  const forecast = engine.forecast(next.steps);
  const [x, y, z, sh] = forecast.steps;
  assert.deepEqual(x?.usd, { low: 0.2, median: 0.3, high: 0.4, samples: 5 });
  assert.equal(y?.usd?.high, 0.25, "a step's own cap bounds its range");
  assert.equal(z?.usd, undefined, 'no history yet');
  assert.equal(sh?.usd?.median, 0, 'a shell step costs nothing');
  assert.equal(forecast.withoutHistory, 1);
  assert.ok(Math.abs(forecast.usd.median - (0.3 + 0.25)) < 1e-9);
});
