/**
 * Best-of-N and failover as plain data, from the projection alone: each best-of-N step's candidates (outcome,
 * score, cost, kept ref), every move to a fallback, and the steps waiting on a usage limit. One shape for
 * every front end that lists them (`status --json`, MCP `get_run`, the VS Code extension), so they agree.
 * Browser-safe: it reads the run state and nothing else.
 */
import type { AgentLimit, FailoverRecord, RunState, StepState } from '../run-state.js';

export interface CandidateReport {
  id: string;
  agent: string;
  /** The candidate's step status (succeeded, failed, cancelled, running …). */
  outcome: string;
  /** The one merged. */
  picked: boolean;
  /** The reviewers' approval share (0..1), when they voted. */
  score?: number;
  costUsd?: number;
  /** Where its work is kept (`refs/ai-collab/<run>/candidates/<step>/<n>`), once it committed some. */
  ref?: string;
  /** Why it ranks where it does, or why it failed. */
  reason?: string;
}

export interface BestOfReport {
  stepId: string;
  pick: 'best' | 'first';
  picked?: string;
  candidates: CandidateReport[];
}

export type FailoverReport = FailoverRecord & { stepId: string };

export interface ParkedReport {
  stepId: string;
  agent: string;
  until: number;
  reason: string;
  window?: string;
}

export interface ChoiceReport {
  bestOf: BestOfReport[];
  failovers: FailoverReport[];
  /** Steps waiting (no attempt spent) for their agent's usage limit to reset. */
  parked: ParkedReport[];
}

export function choiceReport(state: RunState): ChoiceReport {
  const steps = state.order.flatMap((id) => {
    const step = state.steps[id];
    return step ? [step] : [];
  });
  return {
    bestOf: steps.flatMap((step) => (step.candidates ? [bestOfReport(state, step)] : [])),
    failovers: steps.flatMap((step) =>
      (step.failedOver ?? []).map((move) => ({ stepId: String(step.label), ...move })),
    ),
    parked: steps.flatMap((step) => {
      const parked = parkedReport(state, step);
      return parked ? [parked] : [];
    }),
  };
}

/** True when the report has nothing to show (a run without best-of-N steps, fallbacks or parking). */
export function choiceReportEmpty(report: ChoiceReport): boolean {
  return report.bestOf.length === 0 && report.failovers.length === 0 && report.parked.length === 0;
}

function bestOfReport(state: RunState, step: StepState): BestOfReport {
  const ranked = new Map((step.ranking ?? []).map((entry) => [entry.stepId, entry]));
  return {
    stepId: String(step.label),
    pick: step.pick ?? 'best',
    ...(step.picked !== undefined && { picked: String(state.steps[step.picked]?.label ?? step.picked) }),
    candidates: (step.candidates ?? []).map((id) => {
      const candidate = state.steps[id];
      const entry = ranked.get(id);
      const share = Number(candidate?.stageDetail?.review?.approvalShare ?? Number.NaN);
      const score = entry?.score ?? (Number.isFinite(share) ? share : undefined);
      const costUsd = entry?.costUsd ?? candidate?.usage?.costUsd;
      const ref = candidate?.stageDetail?.merge?.ref;
      const reason = entry?.reason ?? candidate?.error?.message;
      return {
        id: String(candidate?.label ?? id),
        agent: candidate?.agent ?? entry?.agent ?? '?',
        outcome: candidate?.status ?? entry?.status ?? 'unknown',
        picked: step.picked === id,
        ...(score !== undefined && { score }),
        ...(costUsd !== undefined && { costUsd }),
        ...(ref !== undefined && { ref }),
        ...(reason !== undefined && { reason }),
      };
    }),
  };
}

function parkedReport(state: RunState, step: StepState): ParkedReport | undefined {
  if (step.status !== 'retrying' || step.parkedReason === undefined || step.retryAt === undefined)
    return undefined;
  const limit: AgentLimit | undefined = state.agentLimits?.[step.agent];
  return {
    stepId: String(step.label),
    agent: step.agent,
    until: step.retryAt,
    reason: step.parkedReason,
    ...(limit?.window !== undefined && { window: limit.window }),
  };
}
