/**
 * The default store: SQLite through better-sqlite3, WAL with synchronous=FULL so a committed event
 * survives a crash or power loss, and group commit so a burst of events costs one transaction.
 */
import Database from 'better-sqlite3';
import type { Clock } from '../../support/clock.js';
import { OrchestratorError } from '../../support/errors.js';
import type {
  EventStore,
  OwnerIdentity,
  ProcessRow,
  RunRecord,
  RunRecordPatch,
  StoredEvent,
  StoreWrite,
} from '../event-store.js';
import type { RunLeases } from '../run-leases.js';
import { prepareWritableFiles, readableDatabase, writeFailure } from './database-files.js';
import { migrations } from './migrations.js';
import { SqliteReviewCache, type SqliteReviewCacheOptions } from './sqlite-review-cache.js';
import { SqliteRunLeases } from './sqlite-run-leases.js';

export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. */
  path: string;
  clock: Clock;
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  /** Runs when the connection closes (a reader's private copy is removed then). */
  onClose?: () => void;
}

/**
 * A run's row plus when it first started running (after any approval wait): the first `run.started`
 * event, found by walking the run's events in key order, so it stops a few events in.
 */
const runColumns = `runs.*, (SELECT e.at FROM events e WHERE e.run_id = runs.run_id AND e.type = 'run.started'
  ORDER BY e.seq LIMIT 1) AS started_at`;

interface RunRow {
  run_id: string;
  name: string;
  workspace: string;
  plan_file: string | null;
  status: string;
  step_count: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  started_at: number | null;
  owner: string | null;
  last_seq: number;
}

interface EventRow {
  run_id: string;
  seq: number;
  type: string;
  at: number;
  data: string;
}

export class SqliteStore implements EventStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  #pending: StoreWrite[] = [];
  #scheduled: Promise<void> | undefined;
  #afterCommit: Array<(error?: unknown) => void> = [];
  readonly #onClose: (() => void) | undefined;
  readonly #path: string;
  readonly #insertEvent: Database.Statement;
  /**
   * Statements prepared once per connection. Preparing per call leaves a native statement behind each
   * time until the garbage collector finalizes it, and V8 does not see that memory: a busy server's RSS
   * grew with every run. (readEvents keeps its own: its iterators may overlap.)
   */
  readonly #statements = new Map<string, Database.Statement>();
  readonly #insertDuration: Database.Statement;

  constructor(options: SqliteStoreOptions) {
    this.#clock = options.clock;
    this.#onClose = options.onClose;
    this.#path = options.path;
    if (options.path !== ':memory:') prepareWritableFiles(options.path);
    try {
      this.#db = new Database(options.path);
      configureConnection(this.#db, options.busyTimeoutMs ?? 5_000);
      migrate(this.#db, options.path);
    } catch (error) {
      if (error instanceof OrchestratorError) throw error;
      const failure = writeFailure(options.path, error);
      if (failure.details.code !== undefined) throw failure;
      throw new OrchestratorError(
        'STORE_FAILED',
        `cannot open the state database ${options.path}: ${error}`,
        {
          cause: error,
        },
      );
    }
    this.#insertEvent = this.#prepared(
      'INSERT INTO events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)',
    );
    this.#insertDuration = this.#prepared(
      'INSERT INTO step_durations (agent, action, duration_ms, finished_at) VALUES (?, ?, ?, ?)',
    );
  }

  /**
   * For commands that only read (`runs`, `status`): never creates the state directory or a database
   * (undefined when there is none), and works on a read-only mount or an immutable database by reading a
   * private copy.
   */
  static openForReading(options: { path: string; clock: Clock }): SqliteStore | undefined {
    const readable = readableDatabase(options.path);
    if (!readable) return undefined;
    try {
      return new SqliteStore({ path: readable.path, clock: options.clock, onClose: readable.dispose });
    } catch (error) {
      readable.dispose();
      throw error;
    }
  }

  #prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The pragmas a connection actually runs with, for checks and `doctor`. */
  pragmas(): Record<string, unknown> {
    return {
      journal_mode: this.#db.pragma('journal_mode', { simple: true }),
      synchronous: this.#db.pragma('synchronous', { simple: true }),
      foreign_keys: this.#db.pragma('foreign_keys', { simple: true }),
      busy_timeout: this.#db.pragma('busy_timeout', { simple: true }),
    };
  }

  createRun(
    record: Omit<RunRecord, 'lastSeq' | 'updatedAt' | 'startedAt'>,
    firstEvents: StoredEvent | readonly StoredEvent[],
  ): void {
    const events = Array.isArray(firstEvents) ? firstEvents : [firstEvents as StoredEvent];
    const lastSeq = Math.max(...events.map((event) => event.seq));
    const insert = this.#db.transaction(() => {
      this.#prepared(
        `INSERT INTO runs (run_id, name, workspace, plan_file, status, step_count, created_at, updated_at,
             finished_at, owner, last_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.runId,
        record.name,
        record.workspace,
        record.planFile,
        record.status,
        record.stepCount,
        record.createdAt,
        record.createdAt,
        record.finishedAt,
        record.owner ? JSON.stringify(record.owner) : null,
        lastSeq,
      );
      for (const event of events) {
        this.#insertEvent.run(event.runId, event.seq, event.type, event.at, JSON.stringify(event.data));
      }
    });
    insert();
  }

  enqueue(write: StoreWrite): void {
    this.#pending.push(write);
    if (!this.#scheduled) {
      this.#scheduled = new Promise<void>((resolve, reject) => {
        // setImmediate, not a microtask: every event produced in this turn of the loop joins the batch.
        setImmediate(() => {
          this.#scheduled = undefined;
          const error = this.#commitBatch();
          if (error === undefined) resolve();
          else reject(error);
        });
      });
      // A failed commit is reported to whoever awaits flush(); this keeps it from being "unhandled" meanwhile.
      this.#scheduled.catch(() => {});
    }
  }

  flush(): Promise<void> {
    return this.#scheduled ?? Promise.resolve();
  }

  afterCommit(callback: (error?: unknown) => void): void {
    if (this.#pending.length === 0) callback();
    else this.#afterCommit.push(callback);
  }

  claimRun(runId: string, expected: OwnerIdentity | null, owner: OwnerIdentity): boolean {
    const result = this.#prepared(
      'UPDATE runs SET owner = ?, updated_at = ? WHERE run_id = ? AND owner IS ?',
    ).run(JSON.stringify(owner), this.#clock.now(), runId, expected ? JSON.stringify(expected) : null);
    return result.changes === 1;
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.#prepared(`SELECT ${runColumns} FROM runs WHERE run_id = ?`).get(runId) as
      | RunRow
      | undefined;
    return row ? toRunRecord(row) : undefined;
  }

  listRuns(options: { workspace?: string; limit?: number } = {}): RunRecord[] {
    const limit = options.limit ?? 1_000;
    const rows = (
      options.workspace === undefined
        ? this.#prepared(`SELECT ${runColumns} FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ?`).all(
            limit,
          )
        : this.#prepared(
            `SELECT ${runColumns} FROM runs WHERE workspace = ? ORDER BY created_at DESC, run_id DESC LIMIT ?`,
          ).all(options.workspace, limit)
    ) as RunRow[];
    return rows.map(toRunRecord);
  }

  *readEvents(runId: string, afterSeq = 0): Iterable<StoredEvent> {
    const rows = this.#db
      .prepare('SELECT run_id, seq, type, at, data FROM events WHERE run_id = ? AND seq > ? ORDER BY seq')
      .iterate(runId, afterSeq) as IterableIterator<EventRow>;
    for (const row of rows) {
      yield { runId: row.run_id, seq: row.seq, type: row.type, at: row.at, data: JSON.parse(row.data) };
    }
  }

  recentDurations(agent: string, action: string, limit: number): number[] {
    const rows = this.#prepared(
      'SELECT duration_ms FROM step_durations WHERE agent = ? AND action = ? ORDER BY finished_at DESC LIMIT ?',
    ).all(agent, action, limit) as Array<{ duration_ms: number }>;
    return rows.map((row) => row.duration_ms);
  }

  appendWhile(
    runId: string,
    status: string,
    event: Pick<StoredEvent, 'type' | 'at' | 'data'>,
    patch: RunRecordPatch,
  ): StoredEvent | undefined {
    // This connection's own queued events come first (and are told to who waits for them), so the index's
    // last seq is current.
    const failure = this.#commitBatch();
    if (failure !== undefined) throw failure;
    const append = this.#db.transaction((): StoredEvent | undefined => {
      const row = this.#prepared('SELECT status, last_seq FROM runs WHERE run_id = ?').get(runId) as
        | Pick<RunRow, 'status' | 'last_seq'>
        | undefined;
      if (!row || row.status !== status) return undefined;
      const stored = { runId, seq: row.last_seq + 1, ...event };
      this.#insertEvent.run(runId, stored.seq, stored.type, stored.at, JSON.stringify(stored.data));
      this.#applyPatch(runId, patch, stored.seq, stored.at);
      return stored;
    });
    try {
      // IMMEDIATE: the status is read under the write lock, so two processes cannot both see it unchanged.
      return append.immediate();
    } catch (error) {
      throw new OrchestratorError('STORE_FAILED', `could not write to the state database: ${error}`, {
        cause: error,
      });
    }
  }

  addProcess(row: ProcessRow): void {
    this.#prepared(
      `INSERT OR REPLACE INTO processes (boot_id, pid, start_time, pgid, owner_pid, owner_start_time, tag, agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(row.bootId, row.pid, row.startTime, row.pgid, row.ownerPid, row.ownerStartTime, row.tag, row.agent);
  }

  removeProcess(identity: { bootId: string; pid: number; startTime: string }): void {
    this.#prepared('DELETE FROM processes WHERE boot_id = ? AND pid = ? AND start_time = ?').run(
      identity.bootId,
      identity.pid,
      identity.startTime,
    );
  }

  listProcesses(): ProcessRow[] {
    const rows = this.#prepared('SELECT * FROM processes').all() as Array<{
      boot_id: string;
      pid: number;
      start_time: string;
      pgid: number;
      owner_pid: number;
      owner_start_time: string;
      tag: string;
      agent: string;
    }>;
    return rows.map((row) => ({
      bootId: row.boot_id,
      pid: row.pid,
      startTime: row.start_time,
      pgid: row.pgid,
      ownerPid: row.owner_pid,
      ownerStartTime: row.owner_start_time,
      tag: row.tag,
      agent: row.agent,
    }));
  }

  /** The review cache in this database (shared by every process and run of the workspace). */
  reviewCache<T extends { reviewedAt: number }>(options: SqliteReviewCacheOptions<T>): SqliteReviewCache<T> {
    return new SqliteReviewCache(this.#db, this.#clock, options);
  }

  #leases: SqliteRunLeases | undefined;

  get leases(): RunLeases {
    this.#leases ??= new SqliteRunLeases(this.#db);
    return this.#leases;
  }

  close(): void {
    const error = this.#commitBatch();
    try {
      if (error !== undefined) throw error;
    } finally {
      this.#db.close();
      this.#onClose?.();
    }
  }

  /** Commits what is pending, then tells who waits for it (with the error, if it failed). */
  #commitBatch(): unknown {
    const callbacks = this.#afterCommit;
    this.#afterCommit = [];
    let failure: unknown;
    try {
      this.#commitPending();
    } catch (error) {
      failure = error;
    }
    for (const callback of callbacks) callback(failure);
    return failure;
  }

  #commitPending(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const patches = new Map<string, { patch: RunRecordPatch; lastSeq: number; at: number }>();
    const commit = this.#db.transaction(() => {
      for (const write of batch) {
        const { event } = write;
        this.#insertEvent.run(event.runId, event.seq, event.type, event.at, JSON.stringify(event.data));
        if (write.duration) {
          const sample = write.duration;
          this.#insertDuration.run(sample.agent, sample.action, sample.durationMs, sample.finishedAt);
        }
        const merged = patches.get(event.runId) ?? { patch: {}, lastSeq: 0, at: 0 };
        merged.patch = { ...merged.patch, ...write.run };
        merged.lastSeq = Math.max(merged.lastSeq, event.seq);
        merged.at = Math.max(merged.at, event.at);
        patches.set(event.runId, merged);
      }
      for (const [runId, { patch, lastSeq, at }] of patches) this.#applyPatch(runId, patch, lastSeq, at);
    });
    try {
      commit();
    } catch (error) {
      throw writeFailure(this.#path, error);
    }
  }

  #applyPatch(runId: string, patch: RunRecordPatch, lastSeq: number, at: number): void {
    const sets = ['last_seq = MAX(last_seq, ?)', 'updated_at = ?'];
    const values: unknown[] = [lastSeq, at];
    if (patch.status !== undefined) {
      sets.push('status = ?');
      values.push(patch.status);
    }
    if (patch.finishedAt !== undefined) {
      sets.push('finished_at = ?');
      values.push(patch.finishedAt);
    }
    if (patch.owner !== undefined) {
      sets.push('owner = ?');
      values.push(patch.owner ? JSON.stringify(patch.owner) : null);
    }
    this.#prepared(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`).run(...values, runId);
  }
}

function configureConnection(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL');
  // better-sqlite3 defaults WAL to synchronous=NORMAL, which may lose the last commits on power loss.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('foreign_keys = ON');
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new OrchestratorError(
      'STORE_FAILED',
      `${path} was written by a newer ai-collab (schema ${version}, this one knows ${migrations.length}); upgrade ai-collab`,
    );
  }
  if (version === migrations.length) return;
  const apply = db.transaction(() => {
    for (let index = version; index < migrations.length; index++) db.exec(migrations[index] as string);
    db.pragma(`user_version = ${migrations.length}`);
  });
  apply.immediate();
}

function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    name: row.name,
    workspace: row.workspace,
    planFile: row.plan_file,
    status: row.status,
    stepCount: row.step_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    owner: row.owner ? (JSON.parse(row.owner) as OwnerIdentity) : null,
    lastSeq: row.last_seq,
  };
}
