/**
 * `run.applied` and `run.discarded` in the run's log: decided by the log as it was read before the git work
 * (a run is applied once and discarded once, never applied after it was discarded), and appended only if
 * nothing was appended since, so two commands racing on one run record one event.
 */
import type { EventStore } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import type { RunAppliedData, RunDiscardedData } from './events.js';
import { landingText } from './run-landing.js';
import { runPatchFor } from './run-recorder.js';
import type { RunState } from './run-state.js';

export type Landing =
  | { type: 'run.applied'; data: RunAppliedData }
  | { type: 'run.discarded'; data: RunDiscardedData };

/** Throws why the run's work cannot be applied (or discarded) again, before anything is touched. */
export function refuseRepeatedLanding(state: RunState, type: Landing['type']): void {
  const already = landingText(state);
  if (state.discarded) {
    throw new InputError('RUN_ALREADY_LANDED', `run ${state.runId} was already ${already}; nothing changed`);
  }
  if (type === 'run.applied' && state.applied) {
    throw new InputError(
      'RUN_ALREADY_LANDED',
      `run ${state.runId} was already ${already}; nothing changed (drop its branches with: ai-collab discard ${state.runId})`,
    );
  }
}

/**
 * Appends the landing while the run's index still says `before` (its status, its last seq); throws an
 * InputError when another process recorded something meanwhile.
 */
export function recordLanding(
  deps: { store: Pick<EventStore, 'appendWhile'>; clock: Clock },
  runId: string,
  before: { status: string; lastSeq: number },
  landing: Landing,
): void {
  const at = deps.clock.now();
  // The runs list shows the landing from the run's index row, changed in the same transaction.
  const patch = runPatchFor({ ...landing, runId, seq: before.lastSeq + 1, at }) ?? {};
  const stored = deps.store.appendWhile(runId, before.status, { ...landing, at }, patch, before.lastSeq);
  if (!stored) {
    throw new InputError(
      'RUN_ALREADY_LANDED',
      `run ${runId} changed while its work was being ${landing.type === 'run.applied' ? 'applied' : 'discarded'}; see ai-collab status ${runId}`,
    );
  }
}
