/** The `--json` object of a run, as DESIGN.md fixes it: times in epoch ms, one entry per step in plan order. */
import type { StepUsage } from '../engine/events.js';
import type { RunState, StepState } from '../engine/run-state.js';
import { runUsage } from '../engine/step-usage.js';
import { type StepReview, stepReview } from './step-review.js';

export interface StepReport {
  id: string | number;
  agent: string;
  status: string;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  error?: string;
  /** Tokens (and cost, when the agent reports it) over every attempt; absent for agents that report none. */
  usage?: StepUsage;
  /** The review of the last attempt (verdict, score, each vote); absent for steps nobody reviewed. */
  review?: StepReview;
}

export interface RunReport {
  runId: string;
  name: string;
  status: string;
  startedAt: number | null;
  finishedAt: number | null;
  usage?: StepUsage;
  steps: StepReport[];
}

export function buildRunReport(state: RunState): RunReport {
  const usage = runUsage(state);
  return {
    runId: state.runId,
    name: state.name,
    status: state.status,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    ...(usage && { usage }),
    steps: state.order.map((id) => stepReport(state, state.steps[id] as StepState)),
  };
}

function stepReport(state: RunState, step: StepState): StepReport {
  const error =
    step.status === 'blocked'
      ? `blocked by failed step ${String(state.steps[step.blockedBy ?? '']?.label ?? step.blockedBy)}`
      : step.status === 'failed' || step.status === 'retrying'
        ? step.error?.message
        : undefined;
  const review = stepReview(step);
  return {
    id: step.label,
    agent: step.agent,
    status: step.status,
    attempts: step.attempts,
    startedAt: step.startedAt ?? null,
    finishedAt: step.status === 'running' ? null : (step.finishedAt ?? null),
    ...(error !== undefined && { error }),
    ...(step.usage && { usage: step.usage }),
    ...(review && { review }),
  };
}
