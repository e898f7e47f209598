/**
 * The swarm on code or a diff for the front ends (`ai-collab review`, MCP `review_code`, HTTP
 * `POST /api/review`): one result shape, the verdict, the confidence-weighted approval share, each vote.
 * A review that could not be made (too many reviewers abstained) is reported `rejected` with the problem:
 * it fails closed, never an approval.
 */
import { InputError } from '../support/errors.js';
import { capText, evidenceLimits } from './evidence.js';
import { type ContentReview, contentEvidence } from './review-content.js';
import type { ReviewSwarm } from './review-swarm.js';
import { reviewFailure } from './review-verdict-report.js';
import type { ReviewVote } from './run-swarm.js';
import { approvalShare } from './verdict.js';

export interface CodeReviewInput {
  code?: string;
  /** A unified diff; reviewed as the change when given (the code, if also given, as its context). */
  diff?: string;
  /** Where the code or diff came from, for the reviewers and messages. */
  path?: string;
  language?: string;
}

export interface CodeReviewVote {
  reviewer: string;
  vote: 'approve' | 'reject' | 'abstain';
  confidence: number;
  reason: string;
}

export interface CodeReviewResult {
  verdict: 'approved' | 'rejected';
  /** Confidence-weighted share of approval, 0..1 (0 when nobody voted). */
  score: number;
  votes: CodeReviewVote[];
  /** Answered from an identical earlier review, without a model call. */
  cached: boolean;
  /** Model calls this review made. */
  calls: number;
  /** Set when the review could not be made (too many abstentions): why, and that it is not an approval. */
  problem?: string;
}

export type ReviewCode = (input: CodeReviewInput, signal: AbortSignal) => Promise<CodeReviewResult>;

export interface CodeReview extends ContentReview {
  result: CodeReviewResult;
}

/** Reviews one input with the swarm; `cwd` is where CLI reviewers run. */
export async function reviewCodeWith(
  swarm: ReviewSwarm,
  input: CodeReviewInput,
  options: {
    cwd: string;
    signal: AbortSignal;
    /** What the code or change is meant to do; otherwise a general review. */
    task?: string;
    onVote?(vote: ReviewVote, cached: boolean): void;
  },
): Promise<CodeReview> {
  const content = input.diff ?? input.code;
  if (content === undefined || content.trim() === '') {
    throw new InputError('USAGE', 'nothing to review: give the code, or a unified diff');
  }
  const source = input.path ?? (input.diff !== undefined ? 'the diff' : 'the code');
  const { evidence, kind } = contentEvidence({
    content,
    source,
    ...(input.diff !== undefined && { kind: 'diff' as const }),
    ...(input.language !== undefined && { language: input.language }),
    ...(options.task !== undefined && { task: options.task }),
  });
  if (input.diff !== undefined && input.code !== undefined) {
    evidence.sections.push({
      title: `FILE ${source} (the code the change is about)`,
      role: 'work',
      text: capText(input.code, evidenceLimits.workChars),
    });
  }
  const outcome = await swarm.review({
    evidence,
    runId: 'review',
    stepId: 'content',
    attempt: 1,
    cwd: options.cwd,
    signal: options.signal,
    ...(options.onVote && { onVote: options.onVote }),
  });
  const review: ContentReview = { ...outcome, kind };
  return { ...review, result: codeReviewResult(review) };
}

export function codeReviewResult(review: ContentReview): CodeReviewResult {
  return {
    verdict: review.verdict === 'approved' ? 'approved' : 'rejected',
    score: Number(approvalShare(review.tally).toFixed(3)),
    votes: review.votes.map((vote) => ({
      reviewer: vote.reviewer,
      vote: vote.vote,
      confidence: Number.isFinite(vote.confidence) ? Math.min(1, Math.max(0, vote.confidence)) : 0,
      reason: vote.reason,
    })),
    cached: review.cached,
    calls: review.calls,
    ...(review.verdict === 'failed' && { problem: reviewFailure(review).message }),
  };
}

/** The front ends' `reviewCode`, bound to a swarm and the directory CLI reviewers run in. */
export function createReviewCode(swarm: ReviewSwarm, cwd: string): ReviewCode {
  return async (input, signal) => (await reviewCodeWith(swarm, input, { cwd, signal })).result;
}
