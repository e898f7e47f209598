import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Unavailable } from '../../../src/agents/adapter-descriptor.js';
import { UsabilityCache } from '../../../src/agents/usability-cache.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

const gone: Unavailable = {
  reason: 'the /opt/claude command was not found on PATH',
  fix: 'npm install -g @anthropic-ai/claude-code',
};

/** claude becomes unusable (its CLI deleted) the moment the run's first step runs. */
function setup(clock: FakeClock) {
  let answer: Unavailable | undefined;
  const first = new ScriptedAgent('timer', clock, () => {
    answer = gone;
    return { durationMs: 1_000 };
  });
  const claude = new ScriptedAgent('claude', clock, () => ({ durationMs: 1_000 }));
  const codex = new ScriptedAgent('codex', clock, () => ({ durationMs: 1_000 }));
  const made = createTestEngine({ clock, agents: [first, codex] });
  // Checked at the start (usable), then before the attempt: validity long enough that only a recheck sees it.
  made.registry.register('claude', claude, { usability: new UsabilityCache(() => answer, clock, 3_600_000) });
  made.registry.get('claude');
  return { ...made, claude, codex };
}

const plan = planOf([{ id: 'first' }, { id: 'second', agent: 'claude', needs: ['first'], retries: 3 }]);

test('a step whose agent became unusable fails at once with doctor’s reason and fix, no retry spent', async () => {
  const clock = new FakeClock();
  const { engine, claude } = setup(clock);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  const second = state.steps.second;
  assert.equal(second?.status, 'failed');
  assert.equal(second?.error?.code, 'AGENT_UNAVAILABLE');
  assert.equal(
    second?.error?.message,
    'agent "claude" cannot run: the /opt/claude command was not found on PATH; npm install -g @anthropic-ai/claude-code',
  );
  assert.deepEqual(claude.starts(), [], 'no process of the unusable agent was started');
  assert.ok((second?.failures ?? 0) <= 1, 'no retry was spent');
  assert.equal(clock.now() - (state.steps.first?.finishedAt ?? 0), 0, 'it failed at once');
});

test('a step whose agent became unusable moves to its fallback, recorded as unusable', async () => {
  const clock = new FakeClock();
  const { engine, registry, claude, codex } = setup(clock);
  registry.setFallback('claude', ['codex']);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(claude.starts(), []);
  assert.deepEqual(codex.starts(), ['second']);
  const moved = state.steps.second?.failedOver?.[0];
  assert.deepEqual([moved?.from, moved?.to, moved?.cause], ['claude', 'codex', 'unusable']);
  assert.match(moved?.reason ?? '', /command was not found on PATH; npm install/);
});
