/** How long successful steps took (`step_durations`), per agent and action: what critical-path estimates read. */
import { z } from 'zod';
import type { DurationSample } from '../event-store.js';
import type { PreparedStatements } from './sqlite-connection.js';

const durationRowSchema = z.object({ duration_ms: z.number() });

export class SqliteDurations {
  readonly #statements: PreparedStatements;

  constructor(statements: PreparedStatements) {
    this.#statements = statements;
  }

  insert(sample: DurationSample): void {
    this.#statements
      .get('INSERT INTO step_durations (agent, action, duration_ms, finished_at) VALUES (?, ?, ?, ?)')
      .run(sample.agent, sample.action, sample.durationMs, sample.finishedAt);
  }

  /** Newest first. */
  recent(agent: string, action: string, limit: number): number[] {
    const rows = this.#statements
      .get(
        'SELECT duration_ms FROM step_durations WHERE agent = ? AND action = ? ORDER BY finished_at DESC LIMIT ?',
      )
      .all(agent, action, limit);
    return rows.map((row) => durationRowSchema.parse(row).duration_ms);
  }
}
