/** A step's facts at a glance: agent, target, worker, attempts, timings, why it waits or is blocked, usage. */
import type { StepState } from '../../../src/engine/run-state.js';
import { formatDuration, formatTime } from './format.js';

export function StepFacts({ step, target }: { step: StepState; target: string | undefined }) {
  return (
    <dl class="facts">
      <dt>agent</dt>
      <dd>{`${step.agent}${step.action ? ` · ${step.action}` : ''}`}</dd>
      {target && (
        <>
          <dt>target</dt>
          <dd>{target}</dd>
        </>
      )}
      {step.worker && (
        <>
          <dt>worker</dt>
          <dd data-testid="step-worker">{`${step.worker.worker} on ${step.worker.host}`}</dd>
        </>
      )}
      <dt>attempts</dt>
      <dd>{`${step.attempts} (${step.failures} failed)`}</dd>
      <dt>started</dt>
      <dd>{formatTime(step.startedAt)}</dd>
      <dt>finished</dt>
      <dd>{formatTime(step.finishedAt)}</dd>
      <dt>duration</dt>
      <dd>{formatDuration(step.durationMs)}</dd>
      {step.blockedBy && (
        <>
          <dt>blocked by</dt>
          <dd>{step.blockedBy}</dd>
        </>
      )}
      {step.waitingReason && (
        <>
          <dt>waiting</dt>
          <dd>{step.waitingReason}</dd>
        </>
      )}
      {step.parkedReason && (
        <>
          <dt>parked</dt>
          <dd>{`${step.parkedReason} until ${formatTime(step.retryAt)}`}</dd>
        </>
      )}
      {step.usage && (
        <>
          <dt>usage</dt>
          <dd>{`${step.usage.inputTokens} in · ${step.usage.outputTokens} out${step.usage.costUsd ? ` · $${step.usage.costUsd.toFixed(4)}` : ''}`}</dd>
        </>
      )}
    </dl>
  );
}
