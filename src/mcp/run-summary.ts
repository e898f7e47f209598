/** Compact run descriptions for MCP clients: a few lines by default, per-step detail on request. */
import type { PlanForecast } from '../engine/budget/forecast.js';
import {
  type BestOfReport,
  choiceReport,
  type FailoverReport,
  type ParkedReport,
} from '../engine/choice/choice-report.js';
import { landingText } from '../engine/run-landing.js';
import type { RunState } from '../engine/run-state.js';
import { planAssessment } from '../plan/plan-assessment.js';

/** What `get_run` answers; the choice fields are typed for clients of the library and for tests. */
export type RunSummaryOverMcp = Record<string, unknown> &
  Partial<{
    candidates: BestOfReport[];
    failovers: FailoverReport[];
    parked: ParkedReport[];
  }>;

export function summarizeRun(state: RunState, details: boolean): RunSummaryOverMcp {
  const counts = Object.fromEntries(Object.entries(state.counts).filter(([, count]) => count > 0));
  const problems = state.order
    .map((id) => state.steps[id])
    .filter(
      (step) =>
        step && (step.status === 'failed' || step.status === 'blocked' || step.status === 'conflicted'),
    )
    .slice(0, 10)
    .map((step) => ({
      id: step?.label,
      status: step?.status,
      error: step?.error?.message ?? (step?.blockedBy ? `blocked by ${step.blockedBy}` : undefined),
    }));
  // Best-of-N candidates (outcome, score, cost, kept ref), moves to fallbacks and parked steps, with why.
  const choice = choiceReport(state);
  const landed = landingText(state);
  return {
    runId: state.runId,
    name: state.name,
    status: state.status,
    steps: counts,
    ...(state.approvalReason && { awaitingApproval: state.approvalReason }),
    ...(problems.length > 0 && { problems }),
    ...(state.workspaceDetail?.runBranch && { branch: state.workspaceDetail.runBranch }),
    ...(landed && { landed }),
    ...(state.budget && { budget: state.budget }),
    ...(state.spent && { spent: state.spent }),
    ...(state.budgetReached && {
      budgetReached: `paused: no further step fits the budget; raise it with run_plan { runId, budget }`,
    }),
    ...(choice.bestOf.length > 0 && { candidates: choice.bestOf }),
    ...(choice.failovers.length > 0 && { failovers: choice.failovers }),
    ...(choice.parked.length > 0 && { parked: choice.parked }),
    ...(details && {
      detail: state.order.map((id) => {
        const step = state.steps[id];
        return {
          id: step?.label,
          agent: step?.agent,
          status: step?.status,
          attempts: step?.attempts,
          ...(step?.durationMs !== undefined && { ms: step.durationMs }),
          ...(step?.worker && { worker: `${step.worker.worker}@${step.worker.host}` }),
          ...(step?.usage && {
            tokens: step.usage.inputTokens + step.usage.outputTokens,
            cost: step.usage.costUsd ?? 'unknown',
          }),
          ...(step?.output && { output: step.output.slice(0, 500) }),
        };
      }),
    }),
  };
}

/** The forecast in few tokens: the plan's range and each step's median, or that it has no history yet. */
export function summarizeForecast(forecast: PlanForecast): Record<string, unknown> {
  const round = (usd: number): number => Math.round(usd * 10_000) / 10_000;
  return {
    usd: { low: round(forecast.usd.low), median: round(forecast.usd.median), high: round(forecast.usd.high) },
    ...(forecast.withoutHistory > 0 && { stepsWithoutHistory: forecast.withoutHistory }),
    steps: Object.fromEntries(
      forecast.steps.map((step) => [
        step.stepId,
        step.usd ? [round(step.usd.low), round(step.usd.high)] : 'no history yet',
      ]),
    ),
  };
}

export function summarizePlan(state: RunState, forecast?: PlanForecast): Record<string, unknown> {
  const meta = planAssessment(state.plan);
  return {
    runId: state.runId,
    name: state.name,
    status: state.status,
    ...(meta.rationale !== undefined && { rationale: meta.rationale }),
    ...(meta.confidence !== undefined && { confidence: meta.confidence }),
    ...(meta.risks && {
      risks: meta.risks.map((risk) => `${String(risk.severity)}: ${String(risk.description)}`),
    }),
    steps: state.plan.steps.map((step) => ({
      id: step.label,
      agent: step.agent,
      ...(step.action && { action: step.action }),
      ...(step.target && { target: step.target }),
      ...(step.run ? { run: step.run } : { prompt: (step.prompt ?? step.description ?? '').slice(0, 160) }),
      ...(step.needs.length > 0 && { needs: step.needs }),
    })),
    ...(state.budget && { budget: state.budget }),
    ...(forecast && { forecast: summarizeForecast(forecast) }),
  };
}
