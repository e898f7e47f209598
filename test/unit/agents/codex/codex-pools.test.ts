import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodexPools, envPoolIdleMs } from '../../../../src/agents/codex/codex-pools.js';
import type { CodexSpec } from '../../../../src/agents/codex/codex-spec.js';
import { testAgentDeps } from '../../../support/agent-deps.js';
import { FakeClock } from '../../../support/fake-clock.js';

// A step environment's app-server pool is closed once no step has used it for a short bound, not kept for
// the pool's idle timeout (ten minutes here); the agent's own pool stays. Time moves on a fake clock; no
// step here asks for a server, so no codex process starts.

const spec: CodexSpec = {
  name: 'codex',
  adapter: 'codex',
  command: '/nonexistent/codex',
  args: [],
  env: {},
  passEnv: [],
  pool: {
    size: 2,
    prewarm: 0,
    maxUses: 25,
    maxAgeMs: 3_600_000,
    maxMemoryBytes: 1e9,
    idleTimeoutMs: 600_000,
  },
  capabilities: ['execute'],
};

function pools() {
  const clock = new FakeClock();
  const codex = new CodexPools(spec, { ...testAgentDeps('/tmp'), clock }, () => []);
  return { clock, codex };
}

const env = { AI_COLLAB_PORT_BASE: '20000' };

test('an environment’s pool with no step is closed after the bound; a step within it keeps the pool', async (t) => {
  const { clock, codex } = pools();
  t.after(() => codex.close());
  const first = await codex.run(env, async (pool) => pool);
  await codex.run({}, async () => undefined);
  assert.equal(codex.size, 2, 'the agent’s own pool and the environment’s');
  await clock.advance(envPoolIdleMs - 1);
  // A step within the bound reuses the pool and starts the bound again from its end.
  assert.equal(await codex.run(env, async (pool) => pool), first);
  await clock.advance(envPoolIdleMs - 1);
  assert.equal(codex.size, 2);
  await clock.advance(1);
  assert.equal(codex.size, 1, 'the environment’s pool is closed; the agent’s own stays');
  assert.notEqual(
    await codex.run(env, async (pool) => pool),
    first,
    'a new pool when the environment returns',
  );
});

test('a pool is never closed while a step runs on it, however long', async (t) => {
  const { clock, codex } = pools();
  t.after(() => codex.close());
  let finish = (): void => {};
  const running = codex.run(env, () => new Promise<void>((resolve) => (finish = resolve)));
  // Another step of the same environment ends meanwhile: the pool still has one.
  await codex.run(env, async () => undefined);
  await clock.advance(10 * envPoolIdleMs);
  assert.equal(codex.size, 1);
  finish();
  await running;
  await clock.advance(envPoolIdleMs);
  assert.equal(codex.size, 0);
});

test('closing the agent cancels the pending close', async () => {
  const { clock, codex } = pools();
  await codex.run(env, async () => undefined);
  await codex.close();
  assert.equal(codex.size, 0);
  assert.equal(clock.pendingTimers, 0, 'no timer keeps the process alive');
});
