import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SlotClaimant, SlotPool } from '../../../src/limits/slot-pool.js';
import { seededRandom } from '../../support/seeded-random.js';

/** A run as the pool sees it: `wanting` steps to start, each holding its slot until the test releases it. */
class FakeRun implements SlotClaimant {
  readonly key: string;
  readonly tenant: string | undefined;
  wanting: number;
  readonly held: Array<() => void> = [];
  readonly #pool: SlotPool;
  readonly #grants: string[];

  constructor(pool: SlotPool, grants: string[], key: string, wanting: number, tenant?: string) {
    this.#pool = pool;
    this.#grants = grants;
    this.key = key;
    this.wanting = wanting;
    this.tenant = tenant;
  }

  startOne(): boolean {
    if (this.wanting === 0 || !this.#pool.hasRoom('agent')) return false;
    this.wanting--;
    this.held.push(this.#pool.acquire('agent'));
    this.#grants.push(this.key);
    return true;
  }
}

function releaseOldest(runs: FakeRun[]): void {
  const holder = runs.find((run) => run.held.length > 0);
  holder?.held.shift()?.();
}

test('two runs submitted one after the other take the free slots in turn', () => {
  const pool = new SlotPool({ global: 1 });
  const grants: string[] = [];
  const first = new FakeRun(pool, grants, 'first', 3);
  const second = new FakeRun(pool, grants, 'second', 3);
  pool.join(first);
  pool.dispatch();
  pool.join(second);
  pool.dispatch();
  for (let index = 0; index < 5; index++) releaseOldest([first, second]);
  assert.deepEqual(grants, ['first', 'second', 'first', 'second', 'first', 'second']);
});

test('fifo (the baseline) serves the earliest run until it has nothing left to start', () => {
  const pool = new SlotPool({ global: 1, fairness: 'fifo' });
  const grants: string[] = [];
  const first = new FakeRun(pool, grants, 'first', 3);
  const second = new FakeRun(pool, grants, 'second', 2);
  pool.join(first);
  pool.join(second);
  pool.dispatch();
  for (let index = 0; index < 4; index++) releaseOldest([first, second]);
  assert.deepEqual(grants, ['first', 'first', 'first', 'second', 'second']);
});

test('tenants share first, then the runs of a tenant share its turns', () => {
  const pool = new SlotPool({ global: 1 });
  const grants: string[] = [];
  const runs = [
    new FakeRun(pool, grants, 'ann-1', 3, 'ann'),
    new FakeRun(pool, grants, 'ann-2', 3, 'ann'),
    new FakeRun(pool, grants, 'ann-3', 3, 'ann'),
    new FakeRun(pool, grants, 'bob-1', 3, 'bob'),
  ];
  for (const run of runs) pool.join(run);
  pool.dispatch();
  for (let index = 0; index < 5; index++) releaseOldest(runs);
  assert.deepEqual(grants, ['ann-1', 'bob-1', 'ann-2', 'bob-1', 'ann-3', 'bob-1']);
});

test('a run that leaves the rotation is never offered a slot again, and the others keep their turns', () => {
  const pool = new SlotPool({ global: 1 });
  const grants: string[] = [];
  const runs = ['a', 'b', 'c'].map((key) => new FakeRun(pool, grants, key, 5));
  const leave = runs.map((run) => pool.join(run));
  pool.dispatch();
  leave[1]?.();
  for (let index = 0; index < 4; index++) releaseOldest(runs);
  assert.deepEqual(grants, ['a', 'c', 'a', 'c', 'a']);
});

test('over random submissions and releases, no waiting run sees another run start two steps before its own next one', () => {
  const seed = 20_261_206;
  const random = seededRandom(seed);
  for (let round = 0; round < 200; round++) {
    const context = `seed ${seed}, round ${round}`;
    const pool = new SlotPool({ global: 1 + Math.floor(random() * 4) });
    const grants: string[] = [];
    const runs: FakeRun[] = [];
    /** For each waiting run, how many steps each other run started since it joined or last started one. */
    const startedSince = new Map<string, Map<string, number>>();
    let checked = 0;
    const observe = (): void => {
      for (; checked < grants.length; checked++) {
        const winner = grants[checked] as string;
        startedSince.set(winner, new Map());
        for (const run of runs) {
          if (run.key === winner || run.wanting === 0) continue;
          const counts = startedSince.get(run.key) ?? new Map<string, number>();
          const count = (counts.get(winner) ?? 0) + 1;
          counts.set(winner, count);
          startedSince.set(run.key, counts);
          assert.ok(count <= 1, `${context}: ${run.key} waited while ${winner} started ${count} steps`);
        }
      }
    };
    for (let operation = 0; operation < 120; operation++) {
      if (runs.length < 8 && random() < 0.3) {
        const run = new FakeRun(pool, grants, `run-${runs.length}`, 1 + Math.floor(random() * 6));
        runs.push(run);
        startedSince.set(run.key, new Map());
        pool.join(run);
        pool.dispatch();
      } else {
        const holders = runs.filter((run) => run.held.length > 0);
        const holder = holders[Math.floor(random() * holders.length)];
        holder?.held.shift()?.();
      }
      observe();
    }
    assert.ok(grants.length > 0, context);
  }
});
