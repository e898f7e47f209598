/**
 * `RunLeases` in the state database (table `run_leases`). Written at once in their own short IMMEDIATE
 * transactions, outside the event log's group commit: a lease must be visible to another process the
 * moment it is taken.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { OrchestratorError } from '../../support/errors.js';
import type { LeaseOutcome, LeaseRequest, RunLease, RunLeases } from '../run-leases.js';

const leaseRow = z.object({
  run_id: z.string(),
  holder_id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  start_time: z.string(),
  boot_id: z.string(),
  acquired_at: z.number(),
  expires_at: z.number(),
});

export class SqliteRunLeases implements RunLeases {
  readonly #db: Database.Database;
  readonly #select: Database.Statement<[string]>;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #replace: Database.Statement<unknown[]>;
  readonly #renew: Database.Statement<[number, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#select = db.prepare('SELECT * FROM run_leases WHERE run_id = ?');
    this.#insert = db.prepare(
      `INSERT INTO run_leases (run_id, holder_id, host, pid, start_time, boot_id, acquired_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#replace = db.prepare(
      `UPDATE run_leases SET holder_id = ?, host = ?, pid = ?, start_time = ?, boot_id = ?, acquired_at = ?,
         expires_at = ? WHERE run_id = ? AND holder_id = ?`,
    );
    this.#renew = db.prepare('UPDATE run_leases SET expires_at = ? WHERE run_id = ? AND holder_id = ?');
    this.#delete = db.prepare('DELETE FROM run_leases WHERE run_id = ? AND holder_id = ?');
  }

  get(runId: string): RunLease | undefined {
    const row = this.#select.get(runId);
    return row === undefined ? undefined : toLease(leaseRow.parse(row));
  }

  acquire(request: LeaseRequest): LeaseOutcome {
    const take = this.#db.transaction((): LeaseOutcome => {
      const previous = this.get(request.runId);
      const { owner } = request;
      const expiresAt = request.now + request.ttlMs;
      if (!previous) {
        this.#insert.run(
          request.runId,
          request.holderId,
          owner.host,
          owner.pid,
          owner.startTime,
          owner.bootId,
          request.now,
          expiresAt,
        );
        return { acquired: true, previous: undefined };
      }
      const mayTake =
        previous.holderId === request.holderId ||
        previous.expiresAt <= request.now ||
        previous.holderId === request.replaces;
      if (!mayTake) return { acquired: false, current: previous };
      const acquiredAt = previous.holderId === request.holderId ? previous.acquiredAt : request.now;
      this.#replace.run(
        request.holderId,
        owner.host,
        owner.pid,
        owner.startTime,
        owner.bootId,
        acquiredAt,
        expiresAt,
        request.runId,
        previous.holderId,
      );
      return { acquired: true, previous: previous.holderId === request.holderId ? undefined : previous };
    });
    // IMMEDIATE: read and write under the write lock, so a racing process sees this lease, not the old one.
    return guarded(() => take.immediate());
  }

  renew(runId: string, holderId: string, now: number, ttlMs: number): boolean {
    return guarded(() => this.#renew.run(now + ttlMs, runId, holderId).changes === 1);
  }

  release(runId: string, holderId: string): void {
    guarded(() => this.#delete.run(runId, holderId));
  }
}

function toLease(row: z.infer<typeof leaseRow>): RunLease {
  return {
    runId: row.run_id,
    holderId: row.holder_id,
    owner: { pid: row.pid, startTime: row.start_time, bootId: row.boot_id, host: row.host },
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

function guarded<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw new OrchestratorError(
      'STORE_FAILED',
      `could not write the run's lease to the state database: ${error}`,
      {
        cause: error,
      },
    );
  }
}
