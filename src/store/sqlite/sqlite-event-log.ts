/** The event log (`events`): each run's events in seq order, appended and read back; data is JSON text. */
import { z } from 'zod';
import type { StoredEvent } from '../event-store.js';
import type { PreparedStatements } from './sqlite-connection.js';

const eventRowSchema = z.object({
  run_id: z.string(),
  seq: z.number(),
  type: z.string(),
  at: z.number(),
  data: z.string(),
});

export class SqliteEventLog {
  readonly #statements: PreparedStatements;

  constructor(statements: PreparedStatements) {
    this.#statements = statements;
  }

  insert(event: StoredEvent): void {
    this.#statements
      .get('INSERT INTO events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)')
      .run(event.runId, event.seq, event.type, event.at, JSON.stringify(event.data));
  }

  *read(runId: string, afterSeq: number): Iterable<StoredEvent> {
    yield* this.#rows(
      this.#statements.iterate(
        'SELECT run_id, seq, type, at, data FROM events WHERE run_id = ? AND seq > ? ORDER BY seq',
        runId,
        afterSeq,
      ),
    );
  }

  /**
   * A run's events of the given types only, in seq order: the others are skipped inside SQLite, never
   * parsed. For a reader that wants a few kinds of event from logs that are mostly other kinds.
   */
  *readTypes(runId: string, types: readonly string[]): Iterable<StoredEvent> {
    if (types.length === 0) return;
    yield* this.#rows(
      this.#statements.iterate(
        `SELECT run_id, seq, type, at, data FROM events WHERE run_id = ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY seq`,
        runId,
        ...types,
      ),
    );
  }

  /** Whether the run has an event of this type, answered inside SQLite. */
  has(runId: string, type: string): boolean {
    return (
      this.#statements.get('SELECT 1 FROM events WHERE run_id = ? AND type = ? LIMIT 1').get(runId, type) !==
      undefined
    );
  }

  *#rows(rows: Iterable<unknown>): Iterable<StoredEvent> {
    for (const value of rows) {
      const row = eventRowSchema.parse(value);
      yield { runId: row.run_id, seq: row.seq, type: row.type, at: row.at, data: JSON.parse(row.data) };
    }
  }
}
