import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBootId } from '../../../src/agents/process/proc-table.js';
import { defaultLeaseSettings } from '../../../src/engine/run-lease-keeper.js';
import type { OwnerIdentity } from '../../../src/store/event-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { isInputError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

/** The engine's default lease timing, which the test engines use. */
const lease = defaultLeaseSettings;

/** A coordinator on another machine: nothing here can tell whether it is alive, only its lease. */
function remoteOwner(pid: number): OwnerIdentity {
  return { pid, startTime: '1', bootId: 'another-machine', host: 'elsewhere' };
}

/** Two coordinators, as two processes: each its own connection to one state database and its own clock. */
function twoCoordinators(first: OwnerIdentity, second: OwnerIdentity) {
  const path = join(tempDir(), 'state.db');
  const make = (owner: OwnerIdentity) => {
    const clock = new FakeClock();
    const store = new SqliteStore({ path, clock });
    const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 60_000 }));
    const { engine } = createTestEngine({ clock, store, agents: [agent], owner });
    return { engine, clock, store, agent };
  };
  return [make(first), make(second)] as const;
}

/** The first coordinator starts a one-step run whose step lasts a minute, and the step starts. */
async function startLongRun(first: ReturnType<typeof twoCoordinators>[0]) {
  const created = first.engine.createRun({
    plan: planOf([{ id: 'long' }]),
    workspace: '/tmp',
    planFile: null,
  });
  const running = first.engine.startRun(created.runId);
  // A run taken over ends in the taker's hands; this handle's end is asserted where it matters.
  running.done.catch(() => {});
  await first.clock.advance(0);
  return { created, running };
}

function closeBoth(...coordinators: ReturnType<typeof twoCoordinators>): void {
  for (const coordinator of coordinators) coordinator.store.close();
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isInputError(error), `expected an input error (exit 2), got ${error}`);
    assert.equal(error.code, 'RUN_OWNED');
    return error.message;
  }
  assert.fail('expected the second coordinator to be refused');
}

test('a second coordinator is refused while the lease is live, naming the holder and when its lease expires', async () => {
  const [first, second] = twoCoordinators(remoteOwner(4242), remoteOwner(777));
  const { created, running } = await startLongRun(first);
  assert.deepEqual(first.agent.starts(), ['long']);

  await second.clock.advance(lease.ttlMs - 1);
  const message = await refusal(second.engine.resumeRun(created.runId));
  assert.match(message, /being executed by process 4242 on elsewhere/);
  assert.match(message, new RegExp(`expires at ${new Date(first.clock.now() + lease.ttlMs).toISOString()}`));
  assert.match(message, /\(in 1 s\)/);

  // The holder renews: past the first expiry it is still refused, with the later one.
  await first.clock.advance(lease.renewEveryMs);
  await second.clock.advance(lease.renewEveryMs);
  const renewedUntil = new Date(first.clock.now() + lease.ttlMs).toISOString();
  assert.match(
    await refusal(second.engine.resumeRun(created.runId)),
    new RegExp(`expires at ${renewedUntil}`),
  );
  first.engine.stop(created.runId, 'immediate');
  await first.clock.runUntilSettled(running.done);
  closeBoth(first, second);
});

test('after the holder stops renewing, its lease expires and a second coordinator takes the run over', async () => {
  const [first, second] = twoCoordinators(remoteOwner(4242), remoteOwner(777));
  const { created, running } = await startLongRun(first);
  // The first coordinator stalls (its clock stands still: no renewal) while the second's time passes.
  await second.clock.advance(lease.ttlMs);
  const taken = await second.engine.resumeRun(created.runId);
  const state = await second.clock.runUntilSettled(taken.done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(second.agent.starts(), ['long']);

  // The stalled coordinator wakes, fails to renew, and stops its copy of the step at once.
  await first.clock.advance(lease.renewEveryMs);
  await first.clock.runUntilSettled(running.done.catch(() => undefined));
  assert.deepEqual(
    first.agent.timeline.map((entry) => entry.what),
    ['start', 'abort'],
  );
  closeBoth(first, second);
});

test('a holder on this machine whose process is gone is taken over at once, before its lease expires', async () => {
  // This boot, a pid no process has: provably dead.
  const gone: OwnerIdentity = { pid: 4_194_000, startTime: '1', bootId: readBootId(), host: 'here' };
  const [first, second] = twoCoordinators(gone, remoteOwner(777));
  const { created } = await startLongRun(first);
  const taken = await second.engine.resumeRun(created.runId);
  assert.equal((await second.clock.runUntilSettled(taken.done)).status, 'succeeded');
  closeBoth(first, second);
});

test('a run that ended gives its lease up: the next coordinator needs no wait', async () => {
  const [first, second] = twoCoordinators(remoteOwner(4242), remoteOwner(777));
  const { created, running } = await startLongRun(first);
  first.engine.stop(created.runId, 'immediate');
  await first.clock.runUntilSettled(running.done);
  assert.equal(first.store.leases.get(created.runId), undefined);
  const resumed = await second.engine.resumeRun(created.runId);
  assert.equal((await second.clock.runUntilSettled(resumed.done)).status, 'succeeded');
  closeBoth(first, second);
});
