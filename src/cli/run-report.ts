/** The `--json` object of a run, as DESIGN.md fixes it: times in epoch ms, one entry per step in plan order. */
import type { Spend } from '../engine/budget/spend.js';
import { choiceReport, type FailoverReport, type ParkedReport } from '../engine/choice/choice-report.js';
import type { CandidateRanking, StepUsage, WorkerPlacement } from '../engine/events.js';
import { landingReport } from '../engine/run-landing.js';
import type { AgentLimit, RunState, StepState } from '../engine/run-state.js';
import { runUsage } from '../engine/step-usage.js';
import type { Budget } from '../protocol/plan-types.js';
import { type StepReview, stepReview } from './step-review.js';

export interface StepReport {
  id: string | number;
  agent: string;
  status: string;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  error?: string;
  /** The failure's code (e.g. BUDGET, TIMEOUT), with `error`. */
  errorCode?: string;
  /** Tokens (and cost, when the agent reports it) over every attempt; absent for agents that report none. */
  usage?: StepUsage;
  /** The review of the last attempt (verdict, score, each vote); absent for steps nobody reviewed. */
  review?: StepReview;
  /** Best-of-N: the candidate step ids, the one merged, and every candidate's standing at the pick. */
  candidates?: readonly string[];
  picked?: string;
  ranking?: CandidateRanking[];
  /** This step is a candidate of that best-of-N step. */
  candidateOf?: string;
  /** Agents this step moved away from, and why. */
  failedOver?: StepState['failedOver'];
  /** Distributed mode: the worker that took the last attempt (its name and host). */
  worker?: WorkerPlacement;
}

export interface RunReport {
  runId: string;
  name: string;
  status: string;
  startedAt: number | null;
  finishedAt: number | null;
  usage?: StepUsage;
  /** The run's budget, when it has one. */
  budget?: Budget;
  /** What the run spent: dollars of priced tokens, all tokens, and tokens of unknown cost. */
  spent?: Spend;
  /** Set while the run is paused at its budget. */
  budgetReached?: RunState['budgetReached'];
  steps: StepReport[];
  /** Usage limits the run's agents met (until when, on which window). */
  agentLimits?: Record<string, AgentLimit>;
  /** Every move of a step to a fallback agent, with why (and the limit's window for a usage limit). */
  failovers?: FailoverReport[];
  /** Steps waiting for their agent's usage limit to reset, no attempt spent. */
  parked?: ParkedReport[];
  /** After the run ended: its work was applied (wins) or discarded; with what and when in `applied`/`discarded`. */
  landing?: 'applied' | 'discarded';
  applied?: RunState['applied'];
  discarded?: RunState['discarded'];
}

export function buildRunReport(state: RunState): RunReport {
  const usage = runUsage(state);
  const choice = choiceReport(state);
  return {
    runId: state.runId,
    name: state.name,
    status: state.status,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    ...(usage && { usage }),
    ...(state.budget && { budget: state.budget }),
    ...(state.spent && { spent: state.spent }),
    ...(state.budgetReached && { budgetReached: state.budgetReached }),
    steps: state.order.map((id) => stepReport(state, state.steps[id] as StepState)),
    ...(state.agentLimits && { agentLimits: state.agentLimits }),
    ...(choice.failovers.length > 0 && { failovers: choice.failovers }),
    ...(choice.parked.length > 0 && { parked: choice.parked }),
    ...landingReport(state),
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
    ...(error !== undefined && step.error && { errorCode: step.error.code }),
    ...(step.usage && { usage: step.usage }),
    ...(review && { review }),
    ...(step.candidates && { candidates: step.candidates }),
    ...(step.picked !== undefined && { picked: step.picked }),
    ...(step.ranking && { ranking: step.ranking }),
    ...(step.candidateOf !== undefined && { candidateOf: step.candidateOf }),
    ...(step.failedOver && { failedOver: step.failedOver }),
    ...(step.worker && { worker: step.worker }),
  };
}
