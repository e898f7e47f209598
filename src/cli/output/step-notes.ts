/** A short, human explanation of where a step stands, e.g. "retry in 2.1s" or "blocked by build". */
import type { RunState, StepState } from '../../engine/run-state.js';
import { formatDuration } from '../../support/format-duration.js';

export function stepNote(state: RunState, step: StepState, now: number): string {
  switch (step.status) {
    case 'retrying':
      if (step.parkedReason)
        return `usage limit: waits ${formatDuration(Math.max(0, (step.retryAt ?? now) - now))} for the reset`;
      return `retry in ${formatDuration(Math.max(0, (step.retryAt ?? now) - now))} after ${step.error?.message ?? 'a failure'}`;
    case 'failed':
      return step.error?.message ?? 'failed';
    case 'blocked':
      return `blocked by failed step ${labelOf(state, step.blockedBy)}`;
    case 'pending': {
      const waiting = step.needs.filter((id) => state.steps[id]?.status !== 'succeeded');
      return waiting.length > 0
        ? `waiting on ${waiting
            .slice(0, 3)
            .map((id) => labelOf(state, id))
            .join(', ')}${waiting.length > 3 ? ', …' : ''}`
        : '';
    }
    case 'interrupted':
      return 'interrupted; resumes with ai-collab resume';
    case 'cancelled':
      return 'cancelled';
    case 'running':
      if (step.waitingReason) return step.waitingReason;
      return step.setupMs !== undefined ? `setup took ${formatDuration(step.setupMs)}` : '';
    case 'succeeded':
      // The worktree's setup is not the agent's time: said apart.
      return step.setupMs !== undefined ? `setup took ${formatDuration(step.setupMs)}` : '';
    default:
      return '';
  }
}

export function labelOf(state: RunState, id: string | undefined): string {
  if (id === undefined) return '?';
  return String(state.steps[id]?.label ?? id);
}

export function elapsedOf(step: StepState, now: number): number | undefined {
  if (step.startedAt === undefined) return undefined;
  if (step.status === 'running' || step.status === 'reviewing' || step.status === 'merging')
    return now - step.startedAt;
  if (step.durationMs !== undefined) return step.durationMs;
  return step.finishedAt !== undefined ? step.finishedAt - step.startedAt : undefined;
}
