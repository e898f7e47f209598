import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { seededRandom } from '../../support/seeded-random.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('on random DAGs the engine respects the cap, never starts a step before its dependencies, and finishes', async () => {
  const seed = 20_261_127;
  const random = seededRandom(seed);
  for (let round = 0; round < 40; round++) {
    const size = 5 + Math.floor(random() * 60);
    const concurrency = 1 + Math.floor(random() * 6);
    const steps = Array.from({ length: size }, (_, index) => {
      const needs = new Set<string>();
      const count = index === 0 ? 0 : Math.floor(random() * 4);
      for (let pick = 0; pick < count; pick++) needs.add(`s${Math.floor(random() * index)}`);
      return { id: `s${index}`, needs: [...needs], estimateMs: 1 + Math.floor(random() * 50) };
    });
    const durations = new Map(steps.map((step) => [step.id, 1 + Math.floor(random() * 100)]));
    const failing = new Set(steps.filter(() => random() < 0.1).map((step) => step.id));
    const clock = new FakeClock();
    const agent = new ScriptedAgent('timer', clock, (id) => ({
      durationMs: durations.get(id) ?? 1,
      ...(failing.has(id) && { fail: { kind: 'permanent' as const } }),
    }));
    const { engine } = createTestEngine({ clock, agents: [agent] });
    const run = engine.createRun({ plan: planOf(steps, { concurrency }), workspace: '/tmp', planFile: null });
    const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
    const context = `seed ${seed}, round ${round}`;

    assert.ok(
      agent.peakInFlight <= concurrency,
      `${context}: ${agent.peakInFlight} running over a cap of ${concurrency}`,
    );
    const endedAt = new Map(
      agent.timeline.filter((entry) => entry.what === 'end').map((entry) => [entry.stepId, entry.at]),
    );
    for (const entry of agent.timeline.filter((item) => item.what === 'start')) {
      const step = steps.find((candidate) => candidate.id === entry.stepId);
      for (const dependency of step?.needs ?? []) {
        const end = endedAt.get(dependency);
        assert.ok(
          end !== undefined && end <= entry.at,
          `${context}: ${entry.stepId} started before ${dependency} ended`,
        );
        assert.ok(!failing.has(dependency), `${context}: ${entry.stepId} ran although ${dependency} failed`);
      }
    }
    for (const id of state.order) {
      const status = state.steps[id]?.status;
      assert.ok(
        status === 'succeeded' || status === 'failed' || status === 'blocked',
        `${context}: ${id} ended ${status}`,
      );
    }
    assert.equal(state.status, failing.size === 0 ? 'succeeded' : 'failed', context);
  }
});
