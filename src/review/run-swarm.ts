/**
 * Runs a swarm in waves: launch the fewest reviewers that could settle the verdict, fold in each vote as it
 * arrives, and stop (cancelling any still working) as soon as the verdict is settled, or once one side
 * leads by the margin when that rule is on, or (given the reviewers' learned accuracies) once the
 * full-swarm verdict is 99 % certain. Without early stopping, every reviewer is launched at once and
 * every vote counts, as in the seed (but still through the limiter).
 */
import type { StepFailure } from '../agents/agent.js';
import { confidentVerdict } from './confident-verdict.js';
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
  /**
   * Each slot's learned accuracy (see reviewer-reliability): with it, early stopping also stops once the
   * full-swarm verdict is 99 % certain under those accuracies (confident-verdict), and waves are sized for it.
   */
  accuracyOf?(index: number): number;
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
  /** The slot of each vote, in arrival order. */
  const indices: number[] = [];
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
    const stopping = stoppingRule(options);
    launch(options.earlyStop ? stopping.toLaunch([], [], 0, []) : size);
    while (pending.size > 0) {
      const { index, vote } = await Promise.race(pending.values());
      pending.delete(index);
      votes.push(vote);
      options.onVote?.(vote);
      if (!options.earlyStop) continue;
      indices.push(index);
      const tally = tallyVotes(votes);
      const early = stopping.early(votes, indices, launched, pending.keys());
      if (early !== undefined && votes.length < size) {
        controller.abort(new Error('the verdict is settled'));
        // Cancelled reviewers settle their limiter permits before the swarm is reported done.
        await Promise.allSettled(pending.values());
        return { verdict: early, votes, tally, launched, stoppedEarly: true };
      }
      const more = stopping.toLaunch(votes, indices, launched, pending.keys());
      launch(pending.size === 0 ? Math.max(1, more) : more);
    }
    const tally = tallyVotes(votes);
    return { verdict: finalVerdict(tally, rule), votes, tally, launched, stoppedEarly: false };
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

interface StoppingRule {
  /** The verdict to stop on now, if any: `launched` slots started, `working` of them still out. */
  early(
    votes: readonly CountedVote[],
    indices: readonly number[],
    launched: number,
    working: Iterable<number>,
  ): Verdict | undefined;
  /** How many more reviewers to launch. */
  toLaunch(
    votes: readonly CountedVote[],
    indices: readonly number[],
    launched: number,
    working: Iterable<number>,
  ): number;
}

/** The settled rule (and margin), plus the confident rule when accuracies are known. */
function stoppingRule(options: SwarmRunOptions): StoppingRule {
  const { rule, accuracyOf } = options;
  const size = options.slots.length;
  const early: StoppingRule['early'] = (votes, indices, launched, working) => {
    const tally = tallyVotes(votes);
    const settled = earlyVerdict(tally, size - votes.length, rule);
    if (settled !== undefined || accuracyOf === undefined) return settled;
    const approverAccuracies: number[] = [];
    const rejecterAccuracies: number[] = [];
    votes.forEach((vote, position) => {
      const accuracy = accuracyOf(indices[position] as number);
      if (vote.vote === 'approve') approverAccuracies.push(accuracy);
      else if (vote.vote === 'reject') rejecterAccuracies.push(accuracy);
    });
    const remaining = [...working].map(accuracyOf);
    for (let index = launched; index < size; index++) remaining.push(accuracyOf(index));
    return confidentVerdict({ tally, approverAccuracies, rejecterAccuracies, remaining }, rule);
  };
  return {
    early,
    toLaunch(votes, indices, launched, working) {
      const out = [...working];
      const unlaunched = size - launched;
      if (accuracyOf === undefined) return reviewersToLaunch(tallyVotes(votes), out.length, unlaunched, rule);
      // The fewest more that, with those still out, would stop the swarm if they all agreed (at full
      // confidence); those working are counted as voting.
      for (let extra = 0; extra <= unlaunched; extra++) {
        const coming = [...out, ...Array.from({ length: extra }, (_, n) => launched + n)];
        if (coming.length === 0) continue;
        for (const vote of ['approve', 'reject'] as const) {
          const more = coming.map((): CountedVote => ({ vote, confidence: 1 }));
          if (early([...votes, ...more], [...indices, ...coming], launched + extra, []) !== undefined)
            return extra;
        }
      }
      return unlaunched;
    },
  };
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
