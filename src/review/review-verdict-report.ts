/** A review's outcome in the engine's terms: vote events, the verdict's detail, and why a review failed. */
import type { FailureKind, StepFailure } from '../agents/agent.js';
import type { ReviewVoteData } from '../engine/events.js';
import type { ReviewOutcome } from './review-swarm.js';
import type { ReviewVote } from './run-swarm.js';
import { approvalShare } from './verdict.js';

/** Quotes shown with a vote's reason in its event. */
const quotesInEvent = 3;

export function voteRecord(vote: ReviewVote, cached: boolean): ReviewVoteData {
  const quotes = vote.evidence.slice(0, quotesInEvent).map((quote) => `"${clip(quote, 160)}"`);
  const reason = `${cached ? '(cached) ' : ''}${clip(vote.reason, 2_000)}${quotes.length > 0 ? ` [evidence: ${quotes.join('; ')}]` : ''}`;
  return {
    reviewer: vote.reviewer,
    vote: vote.vote,
    confidence: Number.isFinite(vote.confidence) ? Math.min(1, Math.max(0, vote.confidence)) : 0,
    reason,
  };
}

export function verdictDetail(outcome: ReviewOutcome): Record<string, string> {
  const { tally, rule } = outcome;
  return {
    verdict: outcome.verdict,
    approvalShare: approvalShare(tally).toFixed(3),
    threshold: String(rule.threshold),
    approveWeight: tally.approveWeight.toFixed(2),
    rejectWeight: tally.rejectWeight.toFixed(2),
    votes: `${tally.approvals} approve, ${tally.rejections} reject, ${tally.abstentions} abstain`,
    reviewers: `${outcome.cached ? 0 : outcome.launched} of ${rule.swarmSize}`,
    calls: String(outcome.calls),
    stoppedEarly: outcome.stoppedEarly ? 'yes' : 'no',
    cached: outcome.cached ? 'yes' : 'no',
  };
}

/**
 * Too many reviewers abstained. When every failed reviewer hit a usage limit, the step is parked until it
 * resets; when every one failed for good (a bad key, an unknown model), retrying cannot help; otherwise it
 * is transient, and waits for the latest retry-after any reviewer was given.
 */
export function reviewFailure(outcome: ReviewOutcome): StepFailure {
  const { tally, rule } = outcome;
  if (outcome.votes.length === 0) {
    return {
      code: 'AGENT_UNAVAILABLE',
      kind: 'permanent',
      message:
        'no reviewer could be asked: configure review.reviewers with usable agents, or run without review (--no-review)',
    };
  }
  const abstained = outcome.votes.filter((vote) => vote.vote === 'abstain');
  const failures = abstained.flatMap((vote) => (vote.failure ? [vote.failure] : []));
  const reasons = abstained.slice(0, 6).map((vote) => `${vote.reviewer}: ${clip(vote.reason, 300)}`);
  const allFailed = failures.length > 0 && failures.length === abstained.length;
  const kind: FailureKind =
    allFailed && failures.every((failure) => failure.kind === 'usage-limit')
      ? 'usage-limit'
      : allFailed && failures.every((failure) => failure.kind === 'permanent')
        ? 'permanent'
        : 'transient';
  const resets = failures.flatMap((failure) => (failure.resetAt === undefined ? [] : [failure.resetAt]));
  const codes = new Set(failures.map((failure) => failure.code));
  const [onlyCode] = codes;
  const code = allFailed && codes.size === 1 && onlyCode !== undefined ? onlyCode : 'MODEL_ERROR';
  return {
    code,
    kind,
    message: `the review could not be made: ${tally.abstentions} of ${rule.swarmSize} reviewers abstained and only ${tally.counted} voted (at least ${rule.swarmSize - rule.maxAbstain} must); ${reasons.join('; ')}`,
    ...(resets.length > 0 && { resetAt: Math.max(...resets) }),
  };
}

function clip(text: string, limit: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
