/**
 * The review swarm as the engine's `review` stage: runs on every code-changing step (write, edit, execute,
 * or `review: true`) before it counts as succeeded. Approved: the step goes on (to the merge). Rejected:
 * the engine retries it with the reviewers' reasons in its prompt. Failed (too many abstentions): a failure,
 * never an approval. Every vote is recorded as it arrives; the verdict goes in the stage's detail.
 */

import type { RunState } from '../engine/run-state.js';
import type { StageContext, StageResult, StepStage } from '../engine/step-hooks.js';
import type { StepAction, StepDefinition } from '../protocol/plan-types.js';
import { gatherEvidence, type StepChanges } from './gather-evidence.js';
import type { ReviewOutcome, ReviewSwarm } from './review-swarm.js';
import { reviewFailure, verdictDetail, voteRecord } from './review-verdict-report.js';

export interface ReviewStageOptions {
  swarm: ReviewSwarm;
  /** The step's diff when it worked in a git worktree (`WorkspaceHooks.changesOf`); else undefined. */
  changesOf?(context: StageContext): Promise<StepChanges | undefined>;
}

const reviewedActions: ReadonlySet<StepAction> = new Set(['write', 'edit', 'execute']);

/** Whether a step is reviewed: `review:` decides when given; shell steps only with `review: true`. */
export function needsReview(step: StepDefinition): boolean {
  if (step.review !== undefined) return step.review;
  if (step.run !== undefined || step.agent === 'shell') return false;
  return step.action !== undefined && reviewedActions.has(step.action);
}

/** The steps of a plan the swarm will review (to refuse a run that needs reviewers it does not have). */
export function stepsNeedingReview(steps: readonly StepDefinition[]): StepDefinition[] {
  return steps.filter(needsReview);
}

export function createReviewStage(options: ReviewStageOptions): StepStage {
  const { swarm } = options;
  const agentsReview = swarm.reviewers.some((reviewer) => reviewer.kind === 'agent');
  return {
    name: 'review',
    appliesTo: (step: StepDefinition, _state: Readonly<RunState>) => needsReview(step),
    async run(context: StageContext): Promise<StageResult> {
      let changes: StepChanges | undefined;
      try {
        changes = await options.changesOf?.(context);
      } catch (error) {
        return changesUnreadable(error);
      }
      const evidence = await gatherEvidence(context, changes);
      const outcome = await swarm.review({
        evidence,
        runId: context.runId,
        stepId: context.step.id,
        attempt: context.attempt,
        cwd: context.cwd,
        signal: context.signal,
        onVote: (vote, cached) => context.recordVote(voteRecord(vote, cached)),
      });
      // CLI reviewers run in the step's worktree: one that changed it would have its edits merged unseen.
      if (agentsReview && changes && !outcome.cached) {
        const after = await options.changesOf?.(context).catch(() => undefined);
        if (after?.patch !== changes.patch) return changedDuringReview();
      }
      return stageResult(outcome);
    },
  };
}

function stageResult(outcome: ReviewOutcome): StageResult {
  switch (outcome.verdict) {
    case 'approved':
      return { kind: 'passed', detail: verdictDetail(outcome) };
    case 'rejected':
      return { kind: 'rejected', reason: rejectionReason(outcome), feedback: rejectionFeedback(outcome) };
    case 'failed':
      return { kind: 'failed', failure: reviewFailure(outcome) };
  }
}

function rejectionReason(outcome: ReviewOutcome): string {
  const { tally, rule } = outcome;
  const first = outcome.votes.find((vote) => vote.vote === 'reject');
  const weights = `approval ${tally.approveWeight.toFixed(2)} vs rejection ${tally.rejectWeight.toFixed(2)}, threshold ${rule.threshold}`;
  return `${tally.rejections} of ${tally.counted} reviewers rejected the change (${weights})${first ? `: ${first.reason}` : ''}`;
}

/** What the next attempt is told: each reason of the rejecting reviewers (once) and the lines it is about. */
export function rejectionFeedback(outcome: ReviewOutcome): string {
  const byReason = new Map<string, { who: string[]; quotes: string[] }>();
  for (const vote of outcome.votes) {
    if (vote.vote !== 'reject') continue;
    const reason = clip(vote.reason, 1_000);
    const entry = byReason.get(reason) ?? { who: [], quotes: [] };
    entry.who.push(`${vote.reviewer} (confidence ${vote.confidence.toFixed(2)})`);
    for (const quote of vote.evidence.slice(0, 3)) {
      const shown = `"${clip(quote, 200)}"`;
      if (!entry.quotes.includes(shown)) entry.quotes.push(shown);
    }
    byReason.set(reason, entry);
  }
  const lines = [...byReason].map(([reason, { who, quotes }]) => {
    const about = quotes.length > 0 ? ` (about ${quotes.slice(0, 5).join(', ')})` : '';
    return `- ${who.join(', ')}: ${reason}${about}`;
  });
  return [
    'Reviewers rejected your previous attempt at this step. Their reasons:',
    ...lines,
    'Fix these problems, keep what they did not object to, and make sure the result still does the whole task.',
  ].join('\n');
}

function changesUnreadable(error: unknown): StageResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'failed',
    failure: {
      code: 'INTERNAL',
      kind: 'transient',
      message: `could not read the step's changes to review them: ${message}`,
    },
  };
}

function changedDuringReview(): StageResult {
  return {
    kind: 'failed',
    failure: {
      code: 'INTERNAL',
      kind: 'transient',
      message:
        "a reviewer changed the step's files during its review, so the reviewed change is not what would merge; the step runs again",
    },
  };
}

function clip(text: string, limit: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
