/**
 * Part 2, simulated: reviewer populations of known accuracy vote on many changes; the swarm runner itself
 * (`runSwarm`) decides each review with early stopping (the settled rule, and MAKER margins) and we compare
 * its verdict and its cost with the full swarm's. No clock and no HTTP: votes arrive as promises settle.
 */

import { ReviewerReliability } from '../../src/review/reviewer-reliability.js';
import { type ReviewVote, runSwarm } from '../../src/review/run-swarm.js';
import { finalVerdict, tallyVotes, type VerdictRule } from '../../src/review/verdict.js';
import { mulberry32, type Random } from '../scheduler/prng.js';

export interface PopulationOptions {
  accuracies: readonly number[];
  samples: number;
  /** Share of changes that are right. */
  goodShare: number;
  /** Share of reviewers that fail (abstain). */
  abstainShare: number;
  margins: ReadonlyArray<number | undefined>;
  seed: number;
  /** Also run the learned rule: accuracies estimated from agreement with verdicts, from a neutral start. */
  learned?: boolean;
}

export interface PopulationRow {
  accuracy: number;
  /** undefined: the settled rule alone. */
  margin: number | undefined;
  /** The settled rule plus stopping when 99 % sure under the learned accuracies. */
  learned: boolean;
  /** Early verdict equal to the full swarm's verdict. */
  agreement: number;
  /** Reviewers launched, as a share of the full swarm (calls scale with it: 3 per reviewer). */
  callShare: number;
  /** Verdicts matching whether the change was right: early, full. */
  earlyCorrect: number;
  fullCorrect: number;
}

const baseRule: VerdictRule = { swarmSize: 6, threshold: 0.6, maxAbstain: 3 };

function votesFor(random: Random, good: boolean, accuracy: number, abstainShare: number): ReviewVote[] {
  return Array.from({ length: baseRule.swarmSize }, (_, index) => {
    if (random() < abstainShare) {
      return { reviewer: `r${index}`, vote: 'abstain', confidence: 0, reason: 'failed', evidence: [] };
    }
    const right = random() < accuracy;
    const confidence = right ? 0.6 + 0.4 * random() : 0.5 + 0.4 * random();
    const vote = good === right ? 'approve' : 'reject';
    return { reviewer: `r${index}`, vote, confidence, reason: 'simulated', evidence: [] };
  });
}

export async function simulatePopulations(options: PopulationOptions): Promise<PopulationRow[]> {
  const rows: PopulationRow[] = [];
  for (const accuracy of options.accuracies) {
    const runs = [
      ...options.margins.map((margin) => ({ margin, learned: false })),
      ...(options.learned ? [{ margin: undefined, learned: true }] : []),
    ];
    for (const { margin, learned } of runs) {
      // The same changes and votes for every margin of one accuracy: only the stopping rule differs.
      const random = mulberry32(options.seed + Math.round(accuracy * 1_000));
      const rule: VerdictRule = { ...baseRule, margin };
      let agree = 0;
      let launched = 0;
      let earlyCorrect = 0;
      let fullCorrect = 0;
      // Every reviewer starts neutral; each review's votes teach it, as the store's recorded votes would.
      const reliability = new ReviewerReliability();
      for (let sample = 0; sample < options.samples; sample++) {
        const good = random() < options.goodShare;
        const votes = votesFor(random, good, accuracy, options.abstainShare);
        const full = finalVerdict(tallyVotes(votes), baseRule);
        const run = await runSwarm({
          slots: votes.map((vote) => vote.reviewer),
          rule,
          earlyStop: true,
          ask: async (index) => votes[index] as ReviewVote,
          ...(learned && { accuracyOf: (index: number) => reliability.accuracyOf(`r${index}`) }),
        });
        reliability.learn(run.votes, run.verdict);
        if (run.verdict === full) agree++;
        launched += run.launched;
        if ((run.verdict === 'approved') === good && run.verdict !== 'failed') earlyCorrect++;
        if ((full === 'approved') === good && full !== 'failed') fullCorrect++;
      }
      rows.push({
        accuracy,
        margin,
        learned,
        agreement: agree / options.samples,
        callShare: launched / (options.samples * baseRule.swarmSize),
        earlyCorrect: earlyCorrect / options.samples,
        fullCorrect: fullCorrect / options.samples,
      });
    }
  }
  return rows;
}
