import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionSlots } from '../../../../src/agents/acp/acp-session-slots.js';
import { type PoolWorker, ProcessPool } from '../../../../src/agents/pool/process-pool.js';
import { silentLogger } from '../../../../src/support/logger.js';
import { FakeClock } from '../../../support/fake-clock.js';

class FakeWorker implements PoolWorker {
  static nextPid = 5_000;
  readonly pid = FakeWorker.nextPid++;
  readonly exited: Promise<void>;
  alive = true;
  stopped = false;
  #exit: () => void = () => {};
  constructor() {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }
  treeRssBytes(): number {
    return 1;
  }
  stderrTail(): string {
    return '';
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.alive = false;
    this.#exit();
  }
}

function setUp(perProcess: number, options: { size?: number; maxUses?: number } = {}) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const pool = new ProcessPool<FakeWorker>(
    {
      name: 'fake-acp',
      size: options.size ?? 2,
      prewarm: 0,
      maxUses: options.maxUses ?? 100,
      maxAgeMs: 3_600_000,
      maxMemoryBytes: 1e12,
      idleTimeoutMs: 3_600_000,
      restartInitialMs: 1_000,
      restartMaxMs: 8_000,
      crashLimit: 5,
      crashWindowMs: 60_000,
      killGraceMs: 100,
      superviseEveryMs: 1_000,
    },
    {
      clock,
      logger: silentLogger,
      spawn: async () => {
        const worker = new FakeWorker();
        workers.push(worker);
        return worker;
      },
    },
  );
  const slots = new SessionSlots(pool, { perProcess, maxSessions: options.maxUses ?? 100 });
  return { pool, slots, workers, signal: new AbortController().signal };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('one session per process: each concurrent step gets its own process, a freed one is reused', async () => {
  const { slots, workers, signal } = setUp(1);
  const [a, b] = await Promise.all([slots.acquire(signal), slots.acquire(signal)]);
  assert.notEqual(a.worker, b.worker);
  a.release();
  const c = await slots.acquire(signal);
  assert.equal(c.worker, a.worker);
  assert.equal(workers.length, 2);
});

test('several sessions per process: steps share a process up to the limit, then a second one starts', async () => {
  const { slots, workers, pool, signal } = setUp(3);
  const first = await Promise.all([slots.acquire(signal), slots.acquire(signal), slots.acquire(signal)]);
  assert.equal(new Set(first.map((slot) => slot.worker)).size, 1, 'three sessions on one process');
  const fourth = await slots.acquire(signal);
  assert.notEqual(fourth.worker, first[0]?.worker);
  assert.equal(workers.length, 2);
  for (const slot of first) slot.release();
  assert.equal(pool.stats().busy, 1, 'the first process went back to the pool when its last session ended');
  const fifth = await slots.acquire(signal);
  assert.equal(fifth.worker, fourth.worker, 'room on a held process comes before the pool');
});

test('a step waiting for room gets the first slot freed on a held process', async () => {
  const { slots, workers, signal } = setUp(2, { size: 1 });
  const a = await slots.acquire(signal);
  const b = await slots.acquire(signal);
  let third: unknown;
  const waiting = slots.acquire(signal).then((slot) => {
    third = slot;
    return slot;
  });
  await settle();
  assert.equal(third, undefined, 'the process is full and the pool has no room');
  b.release();
  const slot = await waiting;
  assert.equal(slot.worker, a.worker);
  assert.equal(workers.length, 1);
});

test('a worker that must not be reused serves no new session and is retired when its sessions end', async () => {
  const { slots, workers, signal } = setUp(2);
  const a = await slots.acquire(signal);
  const b = await slots.acquire(signal);
  a.release({ reusable: false });
  const c = await slots.acquire(signal);
  assert.notEqual(c.worker, b.worker, 'no new session on a draining process');
  assert.equal(workers[0]?.stopped, false, 'its other session still runs');
  b.release();
  await settle();
  assert.equal(workers[0]?.stopped, true);
});

test('retireNow stops the process at once, whoever else is on it', async () => {
  const { slots, workers, signal } = setUp(2);
  const a = await slots.acquire(signal);
  const b = await slots.acquire(signal);
  a.release({ retireNow: true });
  await settle();
  assert.equal(workers[0]?.stopped, true);
  b.release();
  assert.equal(workers.length, 1);
});

test('maxUses counts sessions: a process that served them all is replaced', async () => {
  const { slots, workers, signal } = setUp(2, { maxUses: 2 });
  const a = await slots.acquire(signal);
  const b = await slots.acquire(signal);
  const c = await slots.acquire(signal);
  assert.notEqual(c.worker, a.worker, 'the first process has its two sessions');
  a.release();
  b.release();
  await settle();
  assert.equal(workers[0]?.stopped, true);
});

test('an aborted wait rejects and leaves nothing behind; failWaiters rejects every waiter', async () => {
  const { slots, signal } = setUp(1, { size: 1 });
  await slots.acquire(signal);
  const controller = new AbortController();
  const waiting = slots.acquire(controller.signal);
  controller.abort(new Error('timed out'));
  await assert.rejects(waiting, /timed out/);
  const other = slots.acquire(signal);
  slots.failWaiters(new Error('could not start'));
  await assert.rejects(other, /could not start/);
});
