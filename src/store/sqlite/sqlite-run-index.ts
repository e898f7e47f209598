/**
 * The run index (`runs`): one row per run, a projection cache of its log written in the same transaction
 * as the events it follows from, so listing runs never replays logs. Rows are parsed, never cast.
 */
import { z } from 'zod';
import type { Clock } from '../../support/clock.js';
import type { OwnerIdentity, RunRecord, RunRecordPatch } from '../event-store.js';
import { ownerIdentitySchema } from '../owner-schema.js';
import type { PreparedStatements } from './sqlite-connection.js';

/**
 * A run's row plus when it first started running (after any approval wait): the first `run.started`
 * event, found by walking the run's events in key order, so it stops a few events in.
 */
const runColumns = `runs.*, (SELECT e.at FROM events e WHERE e.run_id = runs.run_id AND e.type = 'run.started'
  ORDER BY e.seq LIMIT 1) AS started_at`;

const runRowSchema = z.object({
  run_id: z.string(),
  name: z.string(),
  workspace: z.string(),
  plan_file: z.string().nullable(),
  status: z.string(),
  step_count: z.number(),
  created_at: z.number(),
  updated_at: z.number(),
  finished_at: z.number().nullable(),
  started_at: z.number().nullable(),
  owner: z.string().nullable(),
  last_seq: z.number(),
  landing: z.enum(['applied', 'discarded']).nullable(),
});

const statusRowSchema = runRowSchema.pick({ status: true, last_seq: true });
const revisionRowSchema = z.object({ revision: z.number() });

/**
 * Every write to a run's row stamps it with the next revision (writes are serialized by SQLite's write lock,
 * so two processes never stamp the same one): `revision()` is then a cheap change marker for the whole index.
 */
const nextRevision = '(SELECT IFNULL(MAX(revision), 0) + 1 FROM runs)';

export class SqliteRunIndex {
  readonly #statements: PreparedStatements;
  readonly #clock: Clock;

  constructor(statements: PreparedStatements, clock: Clock) {
    this.#statements = statements;
    this.#clock = clock;
  }

  insert(record: Omit<RunRecord, 'lastSeq' | 'updatedAt' | 'startedAt' | 'landing'>, lastSeq: number): void {
    this.#statements
      .get(
        `INSERT INTO runs (run_id, name, workspace, plan_file, status, step_count, created_at, updated_at,
             finished_at, owner, last_seq, revision)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${nextRevision})`,
      )
      .run(
        record.runId,
        record.name,
        record.workspace,
        record.planFile,
        record.status,
        record.stepCount,
        record.createdAt,
        record.createdAt,
        record.finishedAt,
        ownerText(record.owner),
        lastSeq,
      );
  }

  claim(runId: string, expected: OwnerIdentity | null, owner: OwnerIdentity): boolean {
    const result = this.#statements
      .get(
        `UPDATE runs SET owner = ?, updated_at = ?, revision = ${nextRevision} WHERE run_id = ? AND owner IS ?`,
      )
      .run(JSON.stringify(owner), this.#clock.now(), runId, ownerText(expected));
    return result.changes === 1;
  }

  get(runId: string): RunRecord | undefined {
    const row = this.#statements.get(`SELECT ${runColumns} FROM runs WHERE run_id = ?`).get(runId);
    return row === undefined ? undefined : toRunRecord(runRowSchema.parse(row));
  }

  /**
   * Newest first. With `changedAfter`, only the rows written after that revision: of the newest `limit`
   * runs, exactly those that changed (a changed run among the newest `limit` is among the newest `limit`
   * changed ones).
   */
  list(options: { workspace?: string; limit?: number; changedAfter?: number }): RunRecord[] {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (options.workspace !== undefined) {
      conditions.push('workspace = ?');
      values.push(options.workspace);
    }
    if (options.changedAfter !== undefined) {
      conditions.push('revision > ?');
      values.push(options.changedAfter);
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = this.#statements
      .get(`SELECT ${runColumns} FROM runs ${where} ORDER BY created_at DESC, run_id DESC LIMIT ?`)
      .all(...values, options.limit ?? 1_000);
    return rows.map((row) => toRunRecord(runRowSchema.parse(row)));
  }

  /** The highest revision stamped on any row (0 for an empty index): one index lookup. */
  revision(): number {
    const row = this.#statements.get('SELECT IFNULL(MAX(revision), 0) AS revision FROM runs').get();
    return revisionRowSchema.parse(row).revision;
  }

  /** The indexed status and last seq, for a compare-and-swap append. */
  statusOf(runId: string): { status: string; lastSeq: number } | undefined {
    const row = this.#statements.get('SELECT status, last_seq FROM runs WHERE run_id = ?').get(runId);
    if (row === undefined) return undefined;
    const parsed = statusRowSchema.parse(row);
    return { status: parsed.status, lastSeq: parsed.last_seq };
  }

  /** Moves the row to `lastSeq` (never back) with the changes its events imply. */
  applyPatch(runId: string, patch: RunRecordPatch, lastSeq: number, at: number): void {
    const sets = ['last_seq = MAX(last_seq, ?)', 'updated_at = ?', `revision = ${nextRevision}`];
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
      values.push(ownerText(patch.owner));
    }
    if (patch.landing !== undefined) {
      sets.push("landing = CASE landing WHEN 'applied' THEN landing ELSE ? END");
      values.push(patch.landing);
    }
    this.#statements.get(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`).run(...values, runId);
  }
}

function ownerText(owner: OwnerIdentity | null): string | null {
  return owner ? JSON.stringify(owner) : null;
}

function toRunRecord(row: z.output<typeof runRowSchema>): RunRecord {
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
    owner: row.owner ? ownerIdentitySchema.parse(JSON.parse(row.owner)) : null,
    lastSeq: row.last_seq,
    landing: row.landing,
  };
}
