/**
 * Runs a swarm in waves: launch the fewest reviewers that could settle the verdict, fold in each vote as it
 * arrives, and stop (cancelling any still working) as soon as the verdict is settled, or once one side
 * leads by the margin when that rule is on. Without early stopping, every reviewer is launched at once and
 * every vote counts, as in the seed (but still through the limiter).
 */
import type { StepFailure } from '../agents/agent.js';
import {
  type CountedVote,
  earlyVerdict,
  finalVerdict,
  reviewersToLaunch,
  type Tally,
  tallyVotes,
  type Verdict,
  type VerdictRule,
} from './verdict.js';

export interface ReviewVote extends CountedVote {
  reviewer: string;
  reason: string;
  /** The quotes the vote rests on (checked against the evidence). */
  evidence: string[];
  /** Why the reviewer abstained, when it failed rather than voted badly. */
  failure?: StepFailure;
}

export interface SwarmRunOptions {
  /** Reviewer names in launch order; one per member of the swarm. */
  slots: readonly string[];
  rule: VerdictRule;
  earlyStop: boolean;
  /** Never rejects: a reviewer's error is its abstention. */
  ask(index: number, signal: AbortSignal): Promise<ReviewVote>;
  onVote?(vote: ReviewVote): void;
  signal?: AbortSignal;
}

export interface SwarmRun {
  verdict: Verdict;
  /** In the order they arrived. */
  votes: ReviewVote[];
  tally: Tally;
  /** Reviewers started (those cancelled after the verdict included). */
  launched: number;
  stoppedEarly: boolean;
}

export async function runSwarm(options: SwarmRunOptions): Promise<SwarmRun> {
  const { slots, rule } = options;
  const size = slots.length;
  const controller = new AbortController();
  const stop = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const pending = new Map<number, Promise<{ index: number; vote: ReviewVote }>>();
  const votes: ReviewVote[] = [];
  let launched = 0;
  const launch = (count: number): void => {
    for (let n = 0; n < count && launched < size; n++) {
      const index = launched++;
      const slot = slots[index] ?? `reviewer ${index + 1}`;
      const asked = Promise.resolve()
        .then(() => options.ask(index, controller.signal))
        .catch((error: unknown) => abstention(slot, error));
      pending.set(
        index,
        asked.then((vote) => ({ index, vote })),
      );
    }
  };
  try {
    launch(options.earlyStop ? reviewersToLaunch(tallyVotes([]), 0, size, rule) : size);
    while (pending.size > 0) {
      const { index, vote } = await Promise.race(pending.values());
      pending.delete(index);
      votes.push(vote);
      options.onVote?.(vote);
      if (!options.earlyStop) continue;
      const tally = tallyVotes(votes);
      const early = earlyVerdict(tally, size - votes.length, rule);
      if (early !== undefined && votes.length < size) {
        controller.abort(new Error('the verdict is settled'));
        // Cancelled reviewers settle their limiter permits before the swarm is reported done.
        await Promise.allSettled(pending.values());
        return { verdict: early, votes, tally, launched, stoppedEarly: true };
      }
      const more = reviewersToLaunch(tally, pending.size, size - launched, rule);
      launch(pending.size === 0 ? Math.max(1, more) : more);
    }
    const tally = tallyVotes(votes);
    return { verdict: finalVerdict(tally, rule), votes, tally, launched, stoppedEarly: false };
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

function abstention(reviewer: string, error: unknown): ReviewVote {
  const message = error instanceof Error ? error.message : String(error);
  return {
    reviewer,
    vote: 'abstain',
    confidence: 0,
    reason: `the reviewer failed: ${message}`,
    evidence: [],
    failure: { code: 'INTERNAL', kind: 'transient', message },
  };
}
