import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test("a usage limit with a known reset holds every step on the agent's provider until then, not only the parked one", async () => {
  const clock = new FakeClock();
  const resetAt = clock.now() + 3_600_000;
  const agent = new ScriptedAgent('timer', clock, (id, attempt) => ({
    durationMs: 10,
    ...(id === 'first' &&
      attempt === 1 && {
        fail: { code: 'USAGE_LIMIT', kind: 'usage-limit' as const, message: 'limit reached', resetAt },
      }),
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'first' }, { id: 'second', needs: [] }], { concurrency: 1 }),
    workspace: '/tmp',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.ok(
    agent.startTimes('second').every((at) => at >= resetAt),
    'the second step waited for the reset instead of hitting the same limit',
  );
});
