import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrations } from '../../../src/store/sqlite/migrations.js';
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

test('every connection runs WAL with synchronous=FULL, foreign keys, a busy timeout and a 2 MB page cache', () => {
  const store = openStore(join(tempDir(), 'state.db'));
  assert.deepEqual(store.pragmas(), {
    journal_mode: 'wal',
    synchronous: 2,
    foreign_keys: 1,
    busy_timeout: 5_000,
    cache_size: -2_000,
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

test('a store with the old approvals table: each decision not yet carried out becomes its run log event', () => {
  const path = join(tempDir(), 'state.db');
  const raw = new Database(path);
  for (const migration of migrations.slice(0, 4)) raw.exec(migration);
  raw.pragma('user_version = 4');
  const addRun = (runId: string, status: string, lastSeq: number) => {
    raw
      .prepare(
        `INSERT INTO runs (run_id, name, workspace, plan_file, status, step_count, created_at, updated_at, finished_at, owner, last_seq)
         VALUES (?, 'n', '/w', NULL, ?, 1, 1, 1, NULL, NULL, ?)`,
      )
      .run(runId, status, lastSeq);
    for (let seq = 1; seq <= lastSeq; seq++) {
      raw
        .prepare('INSERT INTO events (run_id, seq, type, at, data) VALUES (?, ?, ?, 1, ?)')
        .run(runId, seq, seq === 1 ? 'run.created' : 'run.approval-requested', '{}');
    }
  };
  const decide = (runId: string, decision: string, reason: string | null, plan: string | null) =>
    raw
      .prepare(
        'INSERT INTO approvals (run_id, decision, decided_by, decided_at, reason, plan) VALUES (?, ?, ?, 7, ?, ?)',
      )
      .run(runId, decision, 'dashboard', reason, plan);
  addRun('approved', 'awaiting_approval', 2);
  decide('approved', 'approved', null, '{"name":"edited"}');
  addRun('rejected', 'awaiting_approval', 2);
  decide('rejected', 'rejected', 'not now', null);
  addRun('carried-out', 'running', 2);
  decide('carried-out', 'approved', null, null);
  addRun('waiting', 'awaiting_approval', 2);
  raw.close();

  const store = openStore(path);
  const last = (runId: string) => [...store.readEvents(runId)].at(-1);
  assert.deepEqual(last('approved'), {
    runId: 'approved',
    seq: 3,
    type: 'run.approval-decided',
    at: 7,
    data: { decision: 'approved', by: 'dashboard', plan: { name: 'edited' } },
  });
  assert.equal(store.getRun('approved')?.status, 'pending');
  assert.deepEqual(last('rejected')?.data, { decision: 'rejected', by: 'dashboard', reason: 'not now' });
  assert.equal(store.getRun('rejected')?.status, 'cancelled');
  assert.equal(store.getRun('rejected')?.finishedAt, 7);
  assert.equal(last('carried-out')?.seq, 2, 'a decision already in the log is not added twice');
  assert.equal(store.getRun('carried-out')?.status, 'running');
  assert.equal(store.getRun('waiting')?.status, 'awaiting_approval');
  assert.equal(
    store.appendWhile('waiting', 'awaiting_approval', { type: 't', at: 8, data: {} }, { status: 'pending' })
      ?.seq,
    3,
  );
  assert.equal(
    store.appendWhile('waiting', 'awaiting_approval', { type: 't', at: 9, data: {} }, {}),
    undefined,
    'only while the status is still the expected one',
  );
  store.close();
  const check = new Database(path);
  assert.equal(check.prepare("SELECT name FROM sqlite_master WHERE name = 'approvals'").get(), undefined);
  check.close();
});

test("the runs revision moves with every change to a run's row, seen from another connection, which then reads only the changed rows", async () => {
  const path = join(tempDir(), 'state.db');
  const writer = openStore(path);
  const reader = openStore(path);
  const changedIds = (after: number) => reader.listRuns({ changedAfter: after }).map((run) => run.runId);
  createRun(writer, 'r1');
  createRun(writer, 'r2');
  const created = reader.runsRevision();
  assert.deepEqual(changedIds(0), ['r2', 'r1']);
  assert.deepEqual(changedIds(created), [], 'nothing changed since');

  writer.enqueue({ event: { runId: 'r1', seq: 2, type: 'step.started', at: 2, data: {} } });
  await writer.flush();
  const stepped = reader.runsRevision();
  assert.ok(stepped > created, 'a new event moves the row (its last seq)');
  assert.deepEqual(changedIds(created), ['r1']);

  assert.ok(writer.claimRun('r2', null, owner));
  assert.ok(reader.runsRevision() > stepped, 'so does a new owner');
  assert.deepEqual(changedIds(stepped), ['r2']);
  writer.close();
  reader.close();
});

test('runs of a store from before the runs revision are all read once as changed', () => {
  const path = join(tempDir(), 'state.db');
  const raw = new Database(path);
  for (const migration of migrations.slice(0, 7)) raw.exec(migration);
  raw.pragma('user_version = 7');
  for (const runId of ['old1', 'old2']) {
    raw
      .prepare(
        `INSERT INTO runs (run_id, name, workspace, plan_file, status, step_count, created_at, updated_at, finished_at, owner, last_seq)
         VALUES (?, 'n', '/w', NULL, 'succeeded', 1, 1, 1, 1, NULL, 1)`,
      )
      .run(runId);
  }
  raw.close();
  const store = openStore(path);
  const migrated = store.runsRevision();
  assert.deepEqual(
    store.listRuns({ changedAfter: 0 }).map((run) => run.runId),
    ['old2', 'old1'],
  );
  createRun(store, 'new');
  assert.deepEqual(
    store.listRuns({ changedAfter: migrated }).map((run) => run.runId),
    ['new'],
  );
  store.close();
});
