/**
 * The default store: SQLite through better-sqlite3, behind the `EventStore` contract. This class composes
 * one module per concern over one connection: the event log, the run index, step durations, the process
 * registry, run leases and the review cache; writes that belong together (an event, its index change, its duration)
 * share a transaction, and a burst of them one group commit.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../support/clock.js';
import { OrchestratorError } from '../../support/errors.js';
import type {
  EventStore,
  OwnerIdentity,
  ProcessRow,
  RunRecord,
  RunRecordPatch,
  SpendSample,
  StoredEvent,
  StoreWrite,
} from '../event-store.js';
import type { RunLeases } from '../run-leases.js';
import { prepareWritableFiles, readableDatabase, writeFailure } from './database-files.js';
import { GroupCommit } from './group-commit.js';
import { connectionPragmas, openConnection, PreparedStatements } from './sqlite-connection.js';
import { SqliteDurations } from './sqlite-durations.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteProcessRegistry } from './sqlite-process-registry.js';
import { SqliteReviewCache, type SqliteReviewCacheOptions } from './sqlite-review-cache.js';
import { SqliteRunIndex } from './sqlite-run-index.js';
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

export class SqliteStore implements EventStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #path: string;
  readonly #onClose: (() => void) | undefined;
  readonly #log: SqliteEventLog;
  readonly #runs: SqliteRunIndex;
  readonly #durations: SqliteDurations;
  readonly #processes: SqliteProcessRegistry;
  readonly #commits = new GroupCommit((batch) => this.#commitBatch(batch));

  constructor(options: SqliteStoreOptions) {
    this.#clock = options.clock;
    this.#onClose = options.onClose;
    this.#path = options.path;
    if (options.path !== ':memory:') prepareWritableFiles(options.path);
    this.#db = openConnection(options.path, options.busyTimeoutMs ?? 5_000);
    const statements = new PreparedStatements(this.#db);
    this.#log = new SqliteEventLog(statements);
    this.#runs = new SqliteRunIndex(statements, options.clock);
    this.#durations = new SqliteDurations(statements);
    this.#processes = new SqliteProcessRegistry(statements);
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

  get location(): string {
    return this.#path;
  }

  /** The pragmas a connection actually runs with, for checks and `doctor`. */
  pragmas(): Record<string, unknown> {
    return connectionPragmas(this.#db);
  }

  createRun(
    record: Omit<RunRecord, 'lastSeq' | 'updatedAt' | 'startedAt' | 'landing'>,
    firstEvents: StoredEvent | readonly StoredEvent[],
  ): void {
    const events: readonly StoredEvent[] = 'seq' in firstEvents ? [firstEvents] : firstEvents;
    const lastSeq = Math.max(...events.map((event) => event.seq));
    const insert = this.#db.transaction(() => {
      this.#runs.insert(record, lastSeq);
      for (const event of events) this.#log.insert(event);
    });
    insert();
  }

  enqueue(write: StoreWrite): void {
    this.#commits.enqueue(write);
  }

  flush(): Promise<void> {
    return this.#commits.flush();
  }

  afterCommit(callback: (error?: unknown) => void): void {
    this.#commits.afterCommit(callback);
  }

  claimRun(runId: string, expected: OwnerIdentity | null, owner: OwnerIdentity): boolean {
    return this.#runs.claim(runId, expected, owner);
  }

  getRun(runId: string): RunRecord | undefined {
    return this.#runs.get(runId);
  }

  listRuns(options: { workspace?: string; limit?: number; changedAfter?: number } = {}): RunRecord[] {
    return this.#runs.list(options);
  }

  runsRevision(): number {
    return this.#runs.revision();
  }

  readEvents(runId: string, afterSeq = 0): Iterable<StoredEvent> {
    return this.#log.read(runId, afterSeq);
  }

  hasEventOfType(runId: string, type: string): boolean {
    return this.#log.has(runId, type);
  }

  /** A run's events of these types only, in seq order (the others are not read out of SQLite). */
  readEventsOfTypes(runId: string, types: readonly string[]): Iterable<StoredEvent> {
    return this.#log.readTypes(runId, types);
  }

  recentDurations(agent: string, action: string, limit: number): number[] {
    return this.#durations.recent(agent, action, limit);
  }

  recentSpend(agent: string, action: string, limit: number): SpendSample[] {
    return this.#durations.recentSpend(agent, action, limit);
  }

  appendWhile(
    runId: string,
    status: string,
    event: Pick<StoredEvent, 'type' | 'at' | 'data'>,
    patch: RunRecordPatch,
    lastSeq?: number,
  ): StoredEvent | undefined {
    // This connection's own queued events come first (and are told to who waits for them), so the index's
    // last seq is current.
    const failure = this.#commits.commitNow();
    if (failure !== undefined) throw failure;
    const append = this.#db.transaction((): StoredEvent | undefined => {
      const row = this.#runs.statusOf(runId);
      if (!row || row.status !== status) return undefined;
      if (lastSeq !== undefined && row.lastSeq !== lastSeq) return undefined;
      const stored = { runId, seq: row.lastSeq + 1, ...event };
      this.#log.insert(stored);
      this.#runs.applyPatch(runId, patch, stored.seq, stored.at);
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
    this.#processes.add(row);
  }

  removeProcess(identity: { bootId: string; pid: number; startTime: string }): void {
    this.#processes.remove(identity);
  }

  listProcesses(): ProcessRow[] {
    return this.#processes.list();
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
    const error = this.#commits.commitNow();
    try {
      if (error !== undefined) throw error;
    } finally {
      this.#db.close();
      this.#onClose?.();
    }
  }

  /** One transaction: the events, their durations, and each run's index row moved to its last seq. */
  #commitBatch(batch: readonly StoreWrite[]): void {
    const patches = new Map<string, { patch: RunRecordPatch; lastSeq: number; at: number }>();
    const commit = this.#db.transaction(() => {
      for (const write of batch) {
        const { event } = write;
        this.#log.insert(event);
        if (write.duration) this.#durations.insert(write.duration);
        const merged = patches.get(event.runId) ?? { patch: {}, lastSeq: 0, at: 0 };
        merged.patch = { ...merged.patch, ...write.run };
        merged.lastSeq = Math.max(merged.lastSeq, event.seq);
        merged.at = Math.max(merged.at, event.at);
        patches.set(event.runId, merged);
      }
      for (const [runId, { patch, lastSeq, at }] of patches) this.#runs.applyPatch(runId, patch, lastSeq, at);
    });
    try {
      commit();
    } catch (error) {
      throw writeFailure(this.#path, error);
    }
  }
}
