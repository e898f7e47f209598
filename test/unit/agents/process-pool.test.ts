import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PoolOptions, type PoolWorker, ProcessPool } from '../../../src/agents/pool/process-pool.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

class FakeWorker implements PoolWorker {
  static nextPid = 1_000;
  readonly pid = FakeWorker.nextPid++;
  readonly exited: Promise<void>;
  alive = true;
  rss = 100 * 1024 * 1024;
  stopped = false;
  #exit!: () => void;
  constructor() {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }
  treeRssBytes(): number {
    return this.rss;
  }
  stderrTail(): string {
    return 'boom: segfault';
  }
  crash(): void {
    this.alive = false;
    this.#exit();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.alive = false;
    this.#exit();
  }
}

const options: PoolOptions = {
  name: 'fake',
  size: 2,
  prewarm: 1,
  maxUses: 3,
  maxAgeMs: 60 * 60_000,
  maxMemoryBytes: 500 * 1024 * 1024,
  idleTimeoutMs: 60_000,
  restartInitialMs: 1_000,
  restartMaxMs: 8_000,
  crashLimit: 4,
  crashWindowMs: 60_000,
  killGraceMs: 100,
  superviseEveryMs: 1_000,
};

function createPool(overrides: Partial<PoolOptions> = {}, spawnFails: () => boolean = () => false) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const spawnTimes: number[] = [];
  const pool = new ProcessPool<FakeWorker>(
    { ...options, ...overrides },
    {
      clock,
      logger: silentLogger,
      spawn: async () => {
        spawnTimes.push(clock.now());
        if (spawnFails()) throw new Error('ENOENT');
        const worker = new FakeWorker();
        workers.push(worker);
        return worker;
      },
    },
  );
  return { pool, clock, workers, spawnTimes };
}

test('a pre-warmed worker is handed out without a spawn, and the pool refills behind it', async () => {
  const { pool, clock, workers } = createPool();
  await pool.warm();
  assert.equal(workers.length, 1);
  const lease = await pool.acquire();
  assert.equal(lease.warm, true);
  assert.equal(lease.worker, workers[0]);
  await clock.advance(0);
  assert.equal(workers.length, 2, 'a replacement is warming while the first one works');
  assert.deepEqual(pool.stats().warmHits, 1);
  lease.release();
  await pool.close();
});

test('a worker is reused until max uses, then replaced', async () => {
  const { pool, clock, workers } = createPool({ size: 1, prewarm: 1, maxUses: 2 });
  await pool.warm();
  const first = await pool.acquire();
  first.release();
  const second = await pool.acquire();
  assert.equal(second.worker, first.worker, 'reused');
  second.release();
  await clock.advance(0);
  assert.equal(workers[0]?.stopped, true, 'retired after 2 uses');
  const third = await pool.acquire();
  assert.notEqual(third.worker, first.worker);
  third.release();
  await pool.close();
});

test('the worker a step just used is preferred over a fresh one that finished starting after it', async () => {
  let releaseSpawn: (() => void) | undefined;
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const pool = new ProcessPool<FakeWorker>(
    { ...options, maxUses: 10 },
    {
      clock,
      logger: silentLogger,
      spawn: async () => {
        // The second spawn (the refill) completes only when the test says so: a slow start under load.
        if (workers.length === 1) await new Promise<void>((resolve) => (releaseSpawn = resolve));
        const worker = new FakeWorker();
        workers.push(worker);
        return worker;
      },
    },
  );
  await pool.warm();
  const first = await pool.acquire();
  await clock.advance(1_000);
  first.release();
  await clock.advance(1_000);
  releaseSpawn?.();
  await clock.advance(0);
  assert.equal(workers.length, 2, 'the refill has started');
  const next = await pool.acquire();
  assert.equal(next.worker, first.worker, 'the used worker, warm caches and all');
  next.release();
  await pool.close();
});

test('at capacity, a step waits for the next free worker', async () => {
  const { pool, clock } = createPool({ size: 1, prewarm: 0 });
  const first = await pool.acquire();
  let second: unknown;
  void pool.acquire().then((lease) => {
    second = lease;
  });
  await clock.advance(0);
  assert.equal(second, undefined, 'waiting');
  first.release();
  await clock.advance(0);
  assert.ok(second, 'served by the released worker');
  await pool.close();
});

test('a crashed worker is replaced after capped exponential backoff, and a crash loop stops the pool', async () => {
  const { pool, clock, workers, spawnTimes } = createPool({ prewarm: 1, crashLimit: 4 });
  await pool.warm();
  for (let crash = 1; crash <= 3; crash++) {
    workers.at(-1)?.crash();
    await clock.advance(0);
    const before = workers.length;
    const delay = clock.pendingDelays()[0];
    assert.equal(delay, 1_000 * 2 ** (crash - 1), `crash ${crash} waits ${delay}`);
    await clock.advance(delay ?? 0);
    assert.equal(workers.length, before + 1, 'replaced after the delay');
  }
  workers.at(-1)?.crash();
  await clock.advance(0);
  await assert.rejects(
    pool.acquire(),
    /crashed 4 times within 60s and was stopped \(last: exited unexpectedly: boom: segfault\)/,
  );
  assert.deepEqual(
    spawnTimes.map((at) => at - (spawnTimes[0] ?? 0)),
    [0, 1_000, 3_000, 7_000],
  );
  await pool.close();
});

test('a worker that cannot start counts as a crash and waiting steps are refused once the loop is detected', async () => {
  const { pool, clock } = createPool({ prewarm: 0, crashLimit: 2 }, () => true);
  const refused = assert.rejects(pool.acquire(), /could not start: ENOENT/);
  await clock.advance(0);
  await clock.advance(1_000);
  await refused;
  await pool.close();
});

test('memory: an idle worker over the limit is recycled, a busy one is stopped at once', async () => {
  const { pool, clock, workers } = createPool({ prewarm: 1, size: 2 });
  await pool.warm();
  const idleWorker = workers[0] as FakeWorker;
  idleWorker.rss = 600 * 1024 * 1024;
  await clock.advance(1_000);
  assert.equal(idleWorker.stopped, true);
  const lease = await pool.acquire();
  const busy = lease.worker;
  busy.rss = 700 * 1024 * 1024;
  await clock.advance(1_000);
  assert.equal(busy.stopped, true);
  assert.match(lease.stoppedBecause() ?? '', /memory 700 MB over the limit of 500 MB/);
  await pool.close();
});

test('idle workers beyond the warm set are retired after the idle timeout', async () => {
  const { pool, clock, workers } = createPool({ prewarm: 1, size: 2, idleTimeoutMs: 5_000 });
  await pool.warm();
  const a = await pool.acquire();
  const b = await pool.acquire();
  a.release();
  b.release();
  assert.equal(pool.stats().idle, 2);
  await clock.advance(6_000);
  assert.equal(pool.stats().idle, 1, 'one stays warm');
  assert.equal(workers.filter((worker) => worker.stopped).length, 1);
  await pool.close();
});
