/**
 * A step's review as `status` shows it: the verdict of its last attempt's review, the score (approval share of
 * the confidence-weighted votes, as `ai-collab review` prints it) and each vote, read from the run's events.
 */
import type { ReviewVoteData } from '../engine/events.js';
import type { StepState } from '../engine/run-state.js';
import { approvalShare, tallyVotes } from '../review/verdict.js';

export interface StepReview {
  /** `pending` while reviewers are still voting. */
  verdict: 'approved' | 'rejected' | 'failed' | 'pending';
  /** 0..1: the approval share of the confidence-weighted votes. */
  score: number;
  votes: ReviewVoteData[];
}

/** The review of the step's last attempt, or undefined when that attempt was not reviewed. */
export function stepReview(step: StepState): StepReview | undefined {
  const votes = step.votes ?? [];
  const passed = step.stageDetail?.review?.verdict;
  if (votes.length === 0 && passed === undefined) return undefined;
  return {
    verdict: verdictOf(step, passed),
    score: Number(approvalShare(tallyVotes(votes)).toFixed(3)),
    votes: votes.map(({ reviewer, vote, confidence, reason }) => ({ reviewer, vote, confidence, reason })),
  };
}

function verdictOf(step: StepState, passed: string | undefined): StepReview['verdict'] {
  if (passed === 'approved') return 'approved';
  if (step.status === 'reviewing') return 'pending';
  if (step.error?.code === 'REVIEW_REJECTED') return 'rejected';
  // Votes of this attempt, no verdict recorded, and the attempt ended in an error: the review could not be made.
  return step.error ? 'failed' : 'pending';
}
