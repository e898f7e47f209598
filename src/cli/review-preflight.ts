/**
 * Before a run starts (or resumes): a plan whose code-changing steps need review is refused when no
 * reviewer is usable here, naming the steps and the fix, rather than running agents whose work could
 * never be approved. `--no-review` is recorded in the plan itself (`review: false` on those steps), so
 * the run's record says its changes were not reviewed and a resume keeps it that way.
 */
import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import { needsReview, stepsNeedingReview } from '../review/review-stage.js';
import { InputError } from '../support/errors.js';
import type { ReviewRuntime } from './review-runtime.js';

/** The plan with review switched off on every step that would have been reviewed. */
export function withoutReview(plan: PlanDefinition): PlanDefinition {
  return {
    ...plan,
    steps: plan.steps.map((step) => (needsReview(step) ? { ...step, review: false } : step)),
  };
}

/**
 * Refuses `steps` that need review when no reviewer is usable; otherwise returns warnings about named
 * reviewers that cannot take part (the others review without them).
 */
export function checkReviewers(
  steps: readonly StepDefinition[],
  review: Pick<ReviewRuntime, 'configured' | 'problems'> & { swarm: { usable: boolean } },
): string[] {
  const reviewed = stepsNeedingReview(steps);
  if (reviewed.length === 0) return [];
  if (review.swarm.usable) return review.problems.map((problem) => `${problem} (the other reviewers review)`);
  const labels = reviewed.map((step) => String(step.label));
  throw new InputError('PLAN_INVALID', 'the plan needs reviewers, and no reviewer is usable here', [
    `steps that change code and must be reviewed: ${labels.slice(0, 20).join(', ')}${labels.length > 20 ? `, … (${labels.length} in all)` : ''}`,
    ...whyNoReviewer(review),
    'fix: name usable reviewers in ai-collab.config.yaml under review.reviewers (e.g. `review: { reviewers: [reviewer] }` with HF_TOKEN set, or agents you configured), or pass --no-review to run without review',
  ]);
}

/** Why no reviewer is usable: what each configured one lacks, or that no agent here can review. */
export function whyNoReviewer(review: Pick<ReviewRuntime, 'configured' | 'problems'>): string[] {
  return review.configured && review.problems.length > 0
    ? review.problems
    : [
        'no agent that can review is usable here (an OpenAI-compatible model with its key set, or the claude, codex or gemini CLI; ai-collab doctor shows which)',
      ];
}
