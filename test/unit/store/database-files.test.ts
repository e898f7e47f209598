import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Runs with the most permissive umask, so nothing below relies on the user's umask to stay private. */
function withOpenUmask<T>(body: () => T): T {
  const previous = process.umask(0);
  try {
    return body();
  } finally {
    process.umask(previous);
  }
}

test('a new store is private from the moment it exists: state.db, -wal and -shm 0600, its directory 0700', () => {
  const directory = join(tempDir(), 'other', 'dir');
  const path = join(directory, 'state.db');
  const store = withOpenUmask(() => new SqliteStore({ path, clock: new FakeClock() }));
  try {
    // Checked before anything is written: SQLite creates the -wal and -shm as it opens the database.
    assert.deepEqual(readdirSync(directory).sort(), ['state.db', 'state.db-shm', 'state.db-wal']);
    for (const name of readdirSync(directory)) assert.equal(modeOf(join(directory, name)), '600', name);
    assert.equal(modeOf(directory), '700');
    assert.equal(modeOf(join(directory, '..')), '700', 'every directory the store creates');
  } finally {
    store.close();
  }
});

test('a database left readable by an older version is narrowed to 0600 before it is opened', () => {
  const directory = tempDir();
  const path = join(directory, 'state.db');
  for (const suffix of ['', '-wal', '-shm']) writeFileSync(`${path}${suffix}`, '', { mode: 0o644 });
  const store = new SqliteStore({ path, clock: new FakeClock() });
  try {
    for (const suffix of ['', '-wal', '-shm']) assert.equal(modeOf(`${path}${suffix}`), '600', suffix);
  } finally {
    store.close();
  }
});

test('opening for reading creates nothing where there is no database', () => {
  const directory = join(tempDir(), '.ai-collab');
  const store = SqliteStore.openForReading({ path: join(directory, 'state.db'), clock: new FakeClock() });
  assert.equal(store, undefined);
  assert.equal(existsSync(directory), false);
});
