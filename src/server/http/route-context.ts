/** What route handlers work with, and small helpers for their parameters. */
import type { EventDecoder } from '../../engine/decode-events.js';
import type { AgentCatalog } from '../../plan/agent-catalog.js';
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../support/logger.js';
import type { RuntimeStats, ServerEngine, ServerStore } from '../engine-port.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { LoginCodes } from '../security/token.js';
import type { FeedRegistry } from '../stream/feed-registry.js';
import type { RunsWatcher } from '../stream/runs-watcher.js';
import { HttpError } from './http-io.js';
import type { DiffSource } from './step-diff.js';

export interface ApiContext {
  engine: ServerEngine;
  store: ServerStore;
  feeds: FeedRegistry;
  watcher: RunsWatcher;
  stateDir: string;
  agentCatalog: AgentCatalog;
  diff: DiffSource;
  metrics: ServerMetrics;
  logins: LoginCodes;
  /** The server's own URL, known once it listens. */
  baseUrl(): string;
  version: string;
  startedAt: number;
  clock: Clock;
  logger: Logger;
  /** Shared with the feeds: stored events become run events (or unknown ones) in one place. */
  decoder: EventDecoder;
  /** Distributed mode's workers and queues; absent when the server has no Redis. */
  cluster?: RuntimeStats['cluster'];
}

export function intParameter(
  url: URL,
  name: string,
  bounds: { min: number; max: number; fallback?: number },
): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return bounds.fallback;
  if (!/^\d{1,15}$/.test(raw)) throw badParameter(name, bounds);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) throw badParameter(name, bounds);
  return value;
}

function badParameter(name: string, bounds: { min: number; max: number }): HttpError {
  return new HttpError(
    400,
    'BAD_PARAMETER',
    `${name} must be a whole number from ${bounds.min} to ${bounds.max}`,
  );
}

export function parseBody<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
  },
  body: unknown,
): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new HttpError(400, 'BAD_REQUEST', 'the request body does not have the expected shape', {
    problems: result.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`,
    ),
  });
}
