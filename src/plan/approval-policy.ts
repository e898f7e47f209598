/**
 * Whether a plan must wait for a person before it runs, and why. `always` asks every time; `auto` asks
 * only when the planner was unsure or named a high or critical risk (the seed's rule); `never` runs at once.
 */
import type { PlanDefinition } from '../protocol/plan-types.js';
import { planAssessment } from './plan-assessment.js';

export type ApprovalPolicy = 'always' | 'auto' | 'never';

export function approvalReason(
  plan: PlanDefinition,
  policy: ApprovalPolicy,
  threshold: number,
): string | undefined {
  if (policy === 'never') return undefined;
  if (policy === 'always') return 'every plan is approved by a person (approval policy: always)';
  const assessment = planAssessment(plan);
  const overall = assessment.confidence?.overall;
  if (overall !== undefined && overall < threshold) {
    return `the planner's confidence ${overall.toFixed(2)} is below ${threshold}`;
  }
  const risks = assessment.risks ?? [];
  const serious = risks.filter((risk) => risk.severity === 'high' || risk.severity === 'critical');
  if (serious.length > 0) return `the plan has ${serious.length} high or critical risk(s)`;
  if (assessment.requiresApproval === true) return 'the planner asked for approval';
  return undefined;
}

/** How long to wait for a decision before pausing (never rejecting): `auto` is max(5 min, 30 s per step). */
export function pauseAfterMs(plan: PlanDefinition, setting: 'auto' | number | undefined): number | undefined {
  if (setting === undefined) return undefined;
  if (setting === 'auto') return Math.max(5 * 60_000, 30_000 * plan.steps.length);
  return setting;
}
