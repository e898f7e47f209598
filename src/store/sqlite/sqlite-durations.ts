/**
 * How long successful steps took and what they spent (`step_durations`), per agent and action: what
 * critical-path estimates and cost forecasts read.
 */
import { z } from 'zod';
import type { DurationSample, SpendSample } from '../event-store.js';
import type { PreparedStatements } from './sqlite-connection.js';

const durationRowSchema = z.object({ duration_ms: z.number() });
const spendRowSchema = z.object({ cost_usd: z.number().nullable(), tokens: z.number().nullable() });

export class SqliteDurations {
  readonly #statements: PreparedStatements;

  constructor(statements: PreparedStatements) {
    this.#statements = statements;
  }

  insert(sample: DurationSample): void {
    this.#statements
      .get(
        'INSERT INTO step_durations (agent, action, duration_ms, finished_at, cost_usd, tokens) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        sample.agent,
        sample.action,
        sample.durationMs,
        sample.finishedAt,
        sample.costUsd ?? null,
        sample.tokens ?? null,
      );
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

  /** Newest first; only steps whose cost or tokens were known. */
  recentSpend(agent: string, action: string, limit: number): SpendSample[] {
    const rows = this.#statements
      .get(
        'SELECT cost_usd, tokens FROM step_durations WHERE agent = ? AND action = ? AND (cost_usd IS NOT NULL OR tokens IS NOT NULL) ORDER BY finished_at DESC LIMIT ?',
      )
      .all(agent, action, limit);
    return rows.map((row) => {
      const parsed = spendRowSchema.parse(row);
      return { costUsd: parsed.cost_usd, tokens: parsed.tokens };
    });
  }
}
