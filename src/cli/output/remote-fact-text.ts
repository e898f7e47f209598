/** Terminal lines for distributed mode's facts about an attempt (waiting for a worker, stale reports). */
import type { RunEvent } from '../../engine/events.js';
import type { RunState } from '../../engine/run-state.js';
import { labelOf } from './step-notes.js';

type RemoteFactEvent = Extract<
  RunEvent,
  { type: 'step.waiting' | 'step.waiting-ended' | 'step.stale-report' }
>;

export function remoteFactText(state: RunState, event: RemoteFactEvent): string {
  const step = `step ${labelOf(state, event.data.stepId)}`;
  switch (event.type) {
    case 'step.waiting':
      return `${step} is ${event.data.reason}`;
    case 'step.waiting-ended':
      return `${step} no longer waits: a worker that runs it is live`;
    case 'step.stale-report': {
      const { attemptId, worker, reason } = event.data;
      return `${step}: set aside a stale report from worker ${worker} (attempt ${attemptId}): ${reason}`;
    }
  }
}
