/**
 * One SQLite connection as the store uses it: WAL with synchronous=FULL (a committed event survives a crash
 * or power loss), the schema migrated to this version, and statements prepared once per connection.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { OrchestratorError } from '../../support/errors.js';
import { writeFailure } from './database-files.js';
import { migrations } from './migrations.js';

export function openConnection(path: string, busyTimeoutMs: number): Database.Database {
  try {
    const db = new Database(path);
    configureConnection(db, busyTimeoutMs);
    migrate(db, path);
    return db;
  } catch (error) {
    if (error instanceof OrchestratorError) throw error;
    const failure = writeFailure(path, error);
    if (failure.details.code !== undefined) throw failure;
    throw new OrchestratorError('STORE_FAILED', `cannot open the state database ${path}: ${error}`, {
      cause: error,
    });
  }
}

/** SQLite's own default page cache per connection, in KiB. */
const pageCacheKb = 2_000;

/** Iterating statements kept per SQL text: as many as iterators of it are usually open at once. */
const keptIteratingStatements = 4;

/**
 * Statements prepared once per connection. Preparing per call leaves a native statement behind each time
 * until the garbage collector finalizes it, and V8 does not see that memory: a busy server's RSS grew with
 * every run, and the statements freed in bulk at each collection fragmented the allocator's heap.
 */
export class PreparedStatements {
  readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #iterating = new Map<string, Database.Statement[]>();

  constructor(db: Database.Database) {
    this.db = db;
  }

  get(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Rows of an iterating read. Iterators of one statement cannot overlap (a feed may read a run while a
   * client's replay of it is open), so each read takes a kept statement no open iterator holds; only
   * beyond `keptIteratingStatements` overlapping reads is one prepared for that read alone. Every reader
   * consumes its rows in one synchronous loop, so each read ends (or is closed by `break`) at once: a kept
   * statement never holds its read snapshot across a turn of the event loop.
   */
  *iterate(sql: string, ...params: unknown[]): Generator<unknown, void, undefined> {
    let kept = this.#iterating.get(sql);
    if (!kept) {
      kept = [];
      this.#iterating.set(sql, kept);
    }
    let statement = kept.find((candidate) => !candidate.busy);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (kept.length < keptIteratingStatements) kept.push(statement);
    }
    // `iterate` marks the statement busy at once, before anything else can look for an idle one.
    yield* statement.iterate(...params);
  }
}

/** The pragmas a connection actually runs with, for checks and `doctor`. */
export function connectionPragmas(db: Database.Database): Record<string, unknown> {
  return {
    journal_mode: db.pragma('journal_mode', { simple: true }),
    synchronous: db.pragma('synchronous', { simple: true }),
    foreign_keys: db.pragma('foreign_keys', { simple: true }),
    busy_timeout: db.pragma('busy_timeout', { simple: true }),
    cache_size: db.pragma('cache_size', { simple: true }),
  };
}

function configureConnection(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL');
  // better-sqlite3 defaults WAL to synchronous=NORMAL, which may lose the last commits on power loss.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('foreign_keys = ON');
  // better-sqlite3 raises SQLite's 2 MB page cache to 16 MB per connection. A server's connection fills it
  // with the pages each new run writes (~25 KB a run), so its RSS grew for the first ~650 runs of a steady
  // load as if it leaked; the operating system's page cache already keeps the file's hot pages.
  db.pragma(`cache_size = -${pageCacheKb}`);
}

function migrate(db: Database.Database, path: string): void {
  const version = z
    .number()
    .int()
    .parse(db.pragma('user_version', { simple: true }));
  if (version > migrations.length) {
    throw new OrchestratorError(
      'STORE_FAILED',
      `${path} was written by a newer ai-collab (schema ${version}, this one knows ${migrations.length}); upgrade ai-collab`,
    );
  }
  if (version === migrations.length) return;
  const apply = db.transaction(() => {
    for (const migration of migrations.slice(version)) db.exec(migration);
    db.pragma(`user_version = ${migrations.length}`);
  });
  apply.immediate();
}
