import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { seededRandom } from '../../support/seeded-random.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('two runs started one after the other share a single slot step by step, not run after run', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 100 }));
  const { engine } = createTestEngine({ clock, agents: [agent], slots: { global: 1 } });
  const steps = (prefix: string) =>
    planOf(
      [1, 2, 3].map((index) => ({ id: `${prefix}${index}` })),
      { concurrency: 8, name: prefix },
    );
  const first = engine.createRun({ plan: steps('a'), workspace: '/tmp', planFile: null });
  const second = engine.createRun({ plan: steps('b'), workspace: '/tmp', planFile: null });
  const done = Promise.all([engine.startRun(first.runId).done, engine.startRun(second.runId).done]);
  await clock.runUntilSettled(done);
  assert.deepEqual(agent.starts(), ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
});

test('over random submissions, while a run waits no other run starts two steps before it starts one', async () => {
  const seed = 20_261_206;
  const random = seededRandom(seed);
  for (let round = 0; round < 15; round++) {
    const context = `seed ${seed}, round ${round}`;
    const clock = new FakeClock();
    const durations = new Map<string, number>();
    const agent = new ScriptedAgent('timer', clock, (id) => ({ durationMs: durations.get(id) ?? 1 }));
    const cap = 1 + Math.floor(random() * 3);
    const { engine } = createTestEngine({ clock, agents: [agent], slots: { global: cap } });
    const runCount = 2 + Math.floor(random() * 4);
    const runOf = new Map<string, string>();
    const runs: Array<Promise<unknown>> = [];
    /** How many steps had started when each run was submitted. */
    const submittedAfter = new Map<string, number>();
    for (let run = 0; run < runCount; run++) {
      // Independent steps, and more run concurrency than slots: a run that is not done always has one to start.
      const ids = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, index) => `r${run}s${index}`);
      for (const id of ids) {
        runOf.set(id, `r${run}`);
        durations.set(id, 1 + Math.floor(random() * 50));
      }
      const created = engine.createRun({
        plan: planOf(
          ids.map((id) => ({ id })),
          { concurrency: 10, name: `r${run}` },
        ),
        workspace: '/tmp',
        planFile: null,
      });
      const submitAt = Math.floor(random() * 100);
      runs.push(
        new Promise((resolve, reject) => {
          clock.setTimer(submitAt, () => {
            submittedAfter.set(`r${run}`, agent.starts().length);
            engine.startRun(created.runId).done.then(resolve, reject);
          });
        }),
      );
    }
    await clock.runUntilSettled(Promise.all(runs));
    const starts = agent.starts().map((id) => runOf.get(id) as string);
    const left = new Map<string, number>();
    for (const run of starts) left.set(run, (left.get(run) ?? 0) + 1);
    // From its submission to its first start, and between two of its starts, while a run still has steps to
    // start, each other run starts one at most.
    const since = new Map<string, Map<string, number>>();
    for (const [index, run] of starts.entries()) {
      for (const [submitted, after] of submittedAfter) if (after === index) since.set(submitted, new Map());
      left.set(run, (left.get(run) ?? 1) - 1);
      for (const [waiting, counts] of since) {
        if (waiting === run || (left.get(waiting) ?? 0) === 0) continue;
        const count = (counts.get(run) ?? 0) + 1;
        counts.set(run, count);
        assert.ok(count <= 1, `${context}: ${waiting} waited while ${run} started ${count} steps`);
      }
      since.set(run, new Map());
    }
  }
});
