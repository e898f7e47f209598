/**
 * The process registry (`processes`): long-lived processes some orchestrator started, kept so a later one
 * can stop them after a crash.
 */
import { z } from 'zod';
import type { ProcessRow } from '../event-store.js';
import type { PreparedStatements } from './sqlite-connection.js';

const processRowSchema = z.object({
  boot_id: z.string(),
  pid: z.number(),
  start_time: z.string(),
  pgid: z.number(),
  owner_pid: z.number(),
  owner_start_time: z.string(),
  tag: z.string(),
  agent: z.string(),
});

export class SqliteProcessRegistry {
  readonly #statements: PreparedStatements;

  constructor(statements: PreparedStatements) {
    this.#statements = statements;
  }

  add(row: ProcessRow): void {
    this.#statements
      .get(
        `INSERT OR REPLACE INTO processes (boot_id, pid, start_time, pgid, owner_pid, owner_start_time, tag, agent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.bootId,
        row.pid,
        row.startTime,
        row.pgid,
        row.ownerPid,
        row.ownerStartTime,
        row.tag,
        row.agent,
      );
  }

  remove(identity: { bootId: string; pid: number; startTime: string }): void {
    this.#statements
      .get('DELETE FROM processes WHERE boot_id = ? AND pid = ? AND start_time = ?')
      .run(identity.bootId, identity.pid, identity.startTime);
  }

  list(): ProcessRow[] {
    return this.#statements
      .get('SELECT * FROM processes')
      .all()
      .map((value) => {
        const row = processRowSchema.parse(value);
        return {
          bootId: row.boot_id,
          pid: row.pid,
          startTime: row.start_time,
          pgid: row.pgid,
          ownerPid: row.owner_pid,
          ownerStartTime: row.owner_start_time,
          tag: row.tag,
          agent: row.agent,
        };
      });
  }
}
