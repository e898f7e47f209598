/** How long a run took, for the runs list. */
import type { RunSummary } from '../../../src/server/stream/stream-protocol.js';

/** From when the run began running to its end: the wait for approval is not part of what it took. */
export function runTookMs(run: Pick<RunSummary, 'startedAt' | 'finishedAt'>): number | undefined {
  if (!run.finishedAt || run.startedAt === null) return undefined;
  return run.finishedAt - run.startedAt;
}
