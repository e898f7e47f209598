/** The workspace's latest runs and their logs, as the reviewers' record (`outcome-learner.ts`) reads them. */
import { EventDecoder, type LoggedEvent } from '../engine/decode-events.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { silentLogger } from '../support/logger.js';
import type { OutcomeLog } from './outcome-learner.js';
import { outcomeEventTypes } from './review-outcomes.js';

/** How many of the workspace's latest runs the reviewers' record learns later outcomes from. */
export const outcomeRuns = 50;

export function outcomeLogOf(store: SqliteStore, workspace: string): OutcomeLog {
  // Other readers of these logs warn about unknown event types; here they are only skipped.
  const decoder = new EventDecoder(silentLogger, store.location);
  return {
    recentRuns: () => store.listRuns({ workspace, limit: outcomeRuns }),
    // Only the kinds of event an outcome is read from, and nothing of a run no reviewer voted in: a run of
    // many steps is mostly other events, and most runs of shell steps have no review at all (decoding every
    // event of ten earlier 400-step runs held up the start of the next by ~130 ms).
    events: (runId: string): Iterable<LoggedEvent> =>
      store.hasEventOfType(runId, 'step.review-vote')
        ? decoder.decode(store.readEventsOfTypes(runId, outcomeEventTypes), runId)
        : [],
  };
}
