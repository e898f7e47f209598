/**
 * Facts a remote attempt reports (distributed mode) turned into the run's events: a worker took the
 * attempt, it waits for a worker that offers its agent, stops waiting, a stale execution's report was
 * set aside, or `workspace.setup` ran in the worker's checkout.
 */
import type { RemoteAttemptFact } from '../agents/agent.js';
import { toErrorInfo } from './error-info.js';
import type { RunRecorder } from './run-recorder.js';

export function recordRemoteFact(
  recorder: Pick<RunRecorder, 'record'>,
  at: { stepId: string; attempt: number },
  fact: RemoteAttemptFact,
): void {
  switch (fact.type) {
    case 'placed':
      recorder.record({
        type: 'step.worker-assigned',
        data: { ...at, worker: fact.worker, host: fact.host },
      });
      return;
    case 'waiting':
      recorder.record({ type: 'step.waiting', data: { ...at, reason: fact.reason } });
      return;
    case 'waiting-ended':
      recorder.record({ type: 'step.waiting-ended', data: at });
      return;
    case 'stale-report': {
      const { type: _type, ...report } = fact;
      recorder.record({ type: 'step.stale-report', data: { ...at, ...report } });
      return;
    }
    case 'setup-finished': {
      const { commands, durationMs, portBase, failure } = fact;
      recorder.record({
        type: 'step.setup-finished',
        data: {
          ...at,
          commands,
          durationMs,
          ok: failure === undefined,
          ...(portBase !== undefined && { portBase }),
          ...(failure && { error: toErrorInfo(failure) }),
        },
      });
      return;
    }
  }
}
