import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { OrchestratorError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

function openStore(path: string) {
  return new SqliteStore({ path, clock: new FakeClock() });
}

const owner = { pid: 1, startTime: '5', bootId: 'b', host: 'h' };

function createRun(store: SqliteStore, runId = 'r1') {
  store.createRun(
    {
      runId,
      name: 'n',
      workspace: '/w',
      planFile: null,
      status: 'pending',
      stepCount: 1,
      createdAt: 1,
      finishedAt: null,
      owner: null,
    },
    { runId, seq: 1, type: 'run.created', at: 1, data: { plan: 'x' } },
  );
}

test('every connection runs WAL with synchronous=FULL, foreign keys and a busy timeout', () => {
  const store = openStore(join(tempDir(), 'state.db'));
  assert.deepEqual(store.pragmas(), {
    journal_mode: 'wal',
    synchronous: 2,
    foreign_keys: 1,
    busy_timeout: 5_000,
  });
  store.close();
});

test('events enqueued in one turn are committed together and read back in order', async () => {
  const path = join(tempDir(), 'state.db');
  const store = openStore(path);
  createRun(store);
  for (let seq = 2; seq <= 1_001; seq++) {
    store.enqueue({
      event: { runId: 'r1', seq, type: 'step.started', at: seq, data: { n: seq } },
      ...(seq === 1_001 && { run: { status: 'running', owner } }),
    });
  }
  const reader = new Database(path, { readonly: true });
  const before = reader.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number };
  assert.equal(before.n, 1, 'nothing is written before the group commit');
  await store.flush();
  const after = reader.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number };
  assert.equal(after.n, 1_001);
  reader.close();
  const events = [...store.readEvents('r1', 995)];
  assert.deepEqual(
    events.map((event) => event.seq),
    [996, 997, 998, 999, 1_000, 1_001],
  );
  assert.deepEqual(events[0]?.data, { n: 996 });
  const run = store.getRun('r1');
  assert.equal(run?.status, 'running');
  assert.equal(run?.lastSeq, 1_001);
  assert.deepEqual(run?.owner, owner);
  store.close();
});

test('two writers cannot append the same position of a run', async () => {
  const store = openStore(':memory:');
  createRun(store);
  store.enqueue({ event: { runId: 'r1', seq: 1, type: 'x', at: 1, data: {} } });
  await assert.rejects(
    store.flush(),
    (error: unknown) => error instanceof OrchestratorError && error.code === 'STORE_FAILED',
  );
  store.close();
});

test('claiming a run is a compare-and-swap on its owner', () => {
  const store = openStore(':memory:');
  createRun(store);
  assert.equal(store.claimRun('r1', null, owner), true);
  assert.equal(store.claimRun('r1', null, { ...owner, pid: 2 }), false, 'someone else owns it now');
  assert.equal(store.claimRun('r1', owner, { ...owner, pid: 2 }), true);
  assert.equal(store.getRun('r1')?.owner?.pid, 2);
  store.close();
});

test('a database from a newer version is refused with a clear message', () => {
  const path = join(tempDir(), 'state.db');
  openStore(path).close();
  const raw = new Database(path);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(() => openStore(path), /written by a newer ai-collab \(schema 99/);
});

test('durations history returns the most recent samples first', async () => {
  const store = openStore(':memory:');
  createRun(store);
  for (let index = 0; index < 5; index++) {
    store.enqueue({
      event: { runId: 'r1', seq: index + 2, type: 'step.succeeded', at: index, data: {} },
      duration: { agent: 'shell', action: 'execute', durationMs: 100 * (index + 1), finishedAt: index },
    });
  }
  await store.flush();
  assert.deepEqual(store.recentDurations('shell', 'execute', 3), [500, 400, 300]);
  assert.deepEqual(store.recentDurations('shell', 'edit', 3), []);
  store.close();
});
