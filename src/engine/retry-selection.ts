/** Which steps a retry brings back, why a named one cannot be, and the retry's record in the log. */
import { InputError } from '../support/errors.js';
import type { RunRecorder } from './run-recorder.js';
import { type RunState, terminalRunStatuses } from './run-state.js';

/** The statuses a person may run again (`retry`, the dashboard's "Retry step"). */
export const retriableStatuses: ReadonlySet<string> = new Set([
  'failed',
  'blocked',
  'cancelled',
  'conflicted',
]);

/** The steps named, or with none named every failed and blocked step of an ended run; each retriable. */
export function selectStepsToRetry(state: Readonly<RunState>, named: readonly string[]): readonly string[] {
  const { runId } = state;
  if (named.length === 0 && !terminalRunStatuses.has(state.status)) {
    throw new InputError(
      'RUN_NOT_RESUMABLE',
      `run ${runId} has not ended (it is ${state.status}); continue it with: ai-collab resume ${runId}`,
    );
  }
  const ids = named.length > 0 ? named : failedAndBlocked(state);
  if (ids.length === 0) {
    throw new InputError('RUN_NOT_RESUMABLE', `run ${runId} has no failed or blocked step to retry`);
  }
  for (const stepId of ids) {
    const status = state.steps[stepId]?.status;
    if (status && retriableStatuses.has(status)) continue;
    throw new InputError(
      'RUN_NOT_RESUMABLE',
      status
        ? `step ${stepId} is ${status}; only failed, blocked, cancelled or conflicted steps can be retried`
        : `run ${runId} has no step ${stepId}; its steps are ${state.order.join(', ')}`,
    );
  }
  return ids;
}

export function failedAndBlocked(state: Readonly<RunState>): string[] {
  return state.order.filter((id) => {
    const status = state.steps[id]?.status;
    return status === 'failed' || status === 'blocked';
  });
}

/** `step.retry-requested` for each step, and for the cancelled ones so the whole remaining plan can finish. */
export function recordRetry(recorder: RunRecorder, ids: readonly string[], by: string): void {
  const { state } = recorder;
  for (const stepId of ids) {
    // A step another named one already brought back (a blocked dependent) needs no request of its own.
    const status = state.steps[stepId]?.status;
    if (status && retriableStatuses.has(status)) {
      recorder.record({ type: 'step.retry-requested', data: { stepId, by } });
    }
  }
  for (const id of state.order) {
    if (state.steps[id]?.status === 'cancelled') {
      recorder.record({ type: 'step.retry-requested', data: { stepId: id, by } });
    }
  }
}
