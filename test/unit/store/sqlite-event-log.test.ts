import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { openConnection, PreparedStatements } from '../../../src/store/sqlite/sqlite-connection.js';
import { SqliteEventLog } from '../../../src/store/sqlite/sqlite-event-log.js';

/** An event log over a fresh in-memory connection, and how many statements that connection has prepared. */
function countedLog(events: number): { log: SqliteEventLog; prepared: () => number } {
  const db: Database.Database = openConnection(':memory:', 0);
  db.prepare(
    "INSERT INTO runs (run_id, name, workspace, status, step_count, created_at, updated_at, last_seq) VALUES ('r1', 'n', '/w', 'running', 1, 1, 1, 0)",
  ).run();
  let prepared = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = (source: string) => {
    prepared++;
    return prepare(source);
  };
  const log = new SqliteEventLog(new PreparedStatements(db));
  for (let seq = 1; seq <= events; seq++)
    log.insert({ runId: 'r1', seq, type: 'step.started', at: seq, data: {} });
  const afterInserts = prepared;
  return { log, prepared: () => prepared - afterInserts };
}

test('reading a run again and again prepares its query once, not once per read (native memory V8 does not see)', () => {
  const { log, prepared } = countedLog(3);
  for (let read = 0; read < 1_000; read++) assert.equal([...log.read('r1', 0)].length, 3);
  // A read left midway (a replay that found what it needed) gives its statement back too.
  for (const event of log.read('r1', 0)) if (event.seq === 1) break;
  assert.equal([...log.read('r1', 1)].length, 2);
  assert.equal(prepared(), 1);
});

test('reads of one run that overlap each get every event, in order', () => {
  const { log, prepared } = countedLog(4);
  const readers = Array.from({ length: 6 }, () => log.read('r1', 0)[Symbol.iterator]());
  const seen: number[][] = readers.map(() => []);
  for (let round = 0; round < 5; round++) {
    for (const [index, reader] of readers.entries()) {
      const next = reader.next();
      if (!next.done) seen[index]?.push(next.value.seq);
    }
  }
  assert.deepEqual(
    seen,
    readers.map(() => [1, 2, 3, 4]),
  );
  // Six at once needed six statements; the next reads use the ones that were kept.
  assert.equal(prepared(), 6);
  for (let read = 0; read < 10; read++) [...log.read('r1', 0)];
  assert.equal(prepared(), 6);
});
