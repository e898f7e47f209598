/**
 * What the read-only commands (`runs`, `status`) open instead of the whole runtime: the store alone, read
 * in a way that creates nothing (no `.ai-collab/` where there is none) and works on read-only state.
 */

import { forecastPlan, type PlanForecast } from '../engine/budget/forecast.js';
import { EventDecoder } from '../engine/decode-events.js';
import { loadRunState } from '../engine/load-run-state.js';
import type { RunState } from '../engine/run-state.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { RunRecord } from '../store/event-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { systemClock } from '../support/clock.js';
import { createJsonLogger, parseLogLevel } from '../support/logger.js';
import { resolveStatePaths, type StatePaths } from './state-paths.js';

export interface StateReader {
  paths: StatePaths;
  listRuns(workspace?: string): RunRecord[];
  getRun(runId: string): RunRecord | undefined;
  runState(runId: string): RunState | undefined;
  /** What `steps` will likely cost, from the spend of past steps in this database. */
  forecast(steps: readonly StepDefinition[]): PlanForecast;
  close(): void;
}

export function openStateReader(
  workspace: string,
  db: string | undefined,
  environment: NodeJS.ProcessEnv,
): StateReader {
  const paths = resolveStatePaths(workspace, { db }, environment);
  const store = SqliteStore.openForReading({ path: paths.databaseFile, clock: systemClock });
  const decoder = new EventDecoder(
    createJsonLogger({ level: parseLogLevel(environment.AI_COLLAB_LOG_LEVEL) ?? 'error' }),
    paths.databaseFile,
  );
  return {
    paths,
    listRuns: (of) => store?.listRuns(of === undefined ? {} : { workspace: of }) ?? [],
    getRun: (runId) => store?.getRun(runId),
    runState: (runId) => (store?.getRun(runId) ? loadRunState(store, runId, decoder) : undefined),
    forecast: (steps) => forecastPlan(steps, (agent, action) => store?.recentSpend(agent, action, 50) ?? []),
    close: () => store?.close(),
  };
}
