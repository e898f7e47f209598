/**
 * The planner's assessment of a plan (confidence, rationale, risks, whether it asks for approval), read from
 * the plan's `meta`. The plan file's schema checked it when the plan was loaded, but `meta` comes back from
 * the run's log, maybe written by another version: it is parsed here, once, for every view and rule that
 * reads it. A field of another shape reads as absent, as the views always treated it.
 */
import { z } from 'zod';
import type { PlanDefinition } from '../protocol/plan-types.js';
import { lenient } from '../support/lenient-field.js';

const score = lenient(z.number());

const riskSchema = z
  .object({
    severity: lenient(z.string()),
    category: lenient(z.string()),
    description: lenient(z.string()),
    mitigation: lenient(z.string()),
  })
  // A risk that is not an object is still counted, with nothing known about it.
  .catch({});

const planAssessmentSchema = z.object({
  confidence: lenient(
    z.object({
      overall: score,
      taskClarity: score,
      contextSufficiency: score,
      approachConfidence: score,
      executionFeasibility: score,
    }),
  ),
  /** A native plan's reasoning; a seed plan keeps it in `analysis.rationale`. */
  rationale: lenient(z.string()),
  analysis: lenient(z.object({ rationale: lenient(z.string()) })),
  risks: lenient(z.array(riskSchema)),
  requiresApproval: lenient(z.boolean()),
});

export type PlanAssessment = z.infer<typeof planAssessmentSchema>;
export type PlanRisk = NonNullable<PlanAssessment['risks']>[number];

export function planAssessment(plan: Pick<PlanDefinition, 'meta'>): PlanAssessment {
  return planAssessmentSchema.parse(plan.meta ?? {});
}
