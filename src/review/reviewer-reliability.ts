/**
 * Each reviewer's reliability, learned from its recorded votes: how often its vote (approve or reject; an
 * abstention says nothing) agreed with the verdict the review reached, and with what later became of the
 * work it approved (its check, its step's fate: `learnOutcome`). The estimate is the mean of a
 * Beta(prior, prior) posterior, so a reviewer with no record is neutral (0.5): its vote weighs nothing
 * until it has earned a record, and a few lucky votes move it only a little.
 */
import type { Verdict, VoteChoice } from './verdict.js';

/** One Beta pseudo-count each side: a new reviewer sits at 0.5 and the estimate follows its record. */
const priorCount = 1;

export interface ReliabilityRecord {
  agreed: number;
  disagreed: number;
}

export interface RecordedVote {
  reviewer: string;
  vote: VoteChoice;
}

export class ReviewerReliability {
  readonly #records = new Map<string, ReliabilityRecord>();

  /** Folds in one review: each usable vote agreed with its verdict or not. A failed review teaches nothing. */
  learn(votes: readonly RecordedVote[], verdict: Verdict): void {
    this.#count(votes, verdict, 1);
  }

  /**
   * Folds in what became of approved work (review-outcomes): when it held, approving was right and
   * rejecting wrong; when its check or its step failed later, the other way round.
   */
  learnOutcome(votes: readonly RecordedVote[], held: boolean): void {
    this.#count(votes, held ? 'approved' : 'rejected', 1);
  }

  /** Takes back an outcome learned before, when a later decision revised it (a succeeded run discarded). */
  forgetOutcome(votes: readonly RecordedVote[], held: boolean): void {
    this.#count(votes, held ? 'approved' : 'rejected', -1);
  }

  #count(votes: readonly RecordedVote[], verdict: Verdict, by: 1 | -1): void {
    if (verdict === 'failed') return;
    for (const { reviewer, vote } of votes) {
      if (vote === 'abstain') continue;
      const record = this.#records.get(reviewer) ?? { agreed: 0, disagreed: 0 };
      if ((vote === 'approve') === (verdict === 'approved')) record.agreed += by;
      else record.disagreed += by;
      this.#records.set(reviewer, record);
    }
  }

  /** The posterior mean chance that this reviewer's vote agrees with the verdict; 0.5 with no record. */
  accuracyOf(reviewer: string): number {
    const record = this.#records.get(reviewer) ?? { agreed: 0, disagreed: 0 };
    return (record.agreed + priorCount) / (record.agreed + record.disagreed + 2 * priorCount);
  }

  recordOf(reviewer: string): ReliabilityRecord {
    return { ...(this.#records.get(reviewer) ?? { agreed: 0, disagreed: 0 }) };
  }
}

/**
 * Reliability rebuilt from stored reviews (votes with the verdict each review reached), oldest first, then
 * from what became of the approved work (`outcomes`, from the runs' logs).
 */
export function reliabilityFrom(
  reviews: Iterable<{ votes: readonly RecordedVote[]; verdict: Verdict }>,
  outcomes: Iterable<{ votes: readonly RecordedVote[]; held: boolean }> = [],
): ReviewerReliability {
  const reliability = new ReviewerReliability();
  for (const review of reviews) reliability.learn(review.votes, review.verdict);
  for (const outcome of outcomes) reliability.learnOutcome(outcome.votes, outcome.held);
  return reliability;
}
