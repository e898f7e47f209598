/** What one Part 2 child process reports to the parent, as one JSON line on stdout. */

export type OverheadRunner = 'engine' | 'p-graph';

export interface OverheadMeasurement {
  runner: OverheadRunner;
  steps: number;
  concurrency: number;
  /** createRun through `done` (engine) or `run()` (p-graph); DAG generation excluded. */
  wallMs: number;
  /** process.resourceUsage().maxRSS right after the run, in MB: the whole child's peak. */
  peakRssMb: number;
  /** Same, just before the run started: what tsx, the DAG and the plan cost without the run. */
  rssBeforeRunMb: number;
  /**
   * V8 heap in use after a forced full GC at the end, final run state still referenced: the live set.
   * Far below the peak means the peak is garbage V8 had not yet collected, not retention.
   */
  heapAfterGcMb: number | undefined;
  /** Engine only: the run's final state and what the database holds afterwards. */
  durable?: DurableCheck;
}

export interface DurableCheck {
  runStatus: string;
  stepsSucceeded: number;
  /** Status column of the run index row, read back from the file by a fresh connection. */
  storedRunStatus: string;
  eventRows: number;
  /** Rows per event type, e.g. step.succeeded → steps. */
  eventRowsByType: Record<string, number>;
  journalMode: string;
  /** 2 = FULL. */
  synchronous: number;
}

export const measurementPrefix = 'BENCH-MEASUREMENT ';

export function isOverheadMeasurement(value: unknown): value is OverheadMeasurement {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    (record.runner === 'engine' || record.runner === 'p-graph') &&
    typeof record.steps === 'number' &&
    typeof record.wallMs === 'number' &&
    typeof record.peakRssMb === 'number'
  );
}
