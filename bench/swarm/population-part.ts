/**
 * Part 2, simulated: reviewer populations of known accuracy vote on many changes; the swarm runner itself
 * (`runSwarm`) decides each review with early stopping (the settled rule, and MAKER margins) and we compare
 * its verdict and its cost with the full swarm's. No clock and no HTTP: votes arrive as promises settle.
 */
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
}

export interface PopulationRow {
  accuracy: number;
  /** undefined: the settled rule alone. */
  margin: number | undefined;
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
    for (const margin of options.margins) {
      // The same changes and votes for every margin of one accuracy: only the stopping rule differs.
      const random = mulberry32(options.seed + Math.round(accuracy * 1_000));
      const rule: VerdictRule = { ...baseRule, margin };
      let agree = 0;
      let launched = 0;
      let earlyCorrect = 0;
      let fullCorrect = 0;
      for (let sample = 0; sample < options.samples; sample++) {
        const good = random() < options.goodShare;
        const votes = votesFor(random, good, accuracy, options.abstainShare);
        const full = finalVerdict(tallyVotes(votes), baseRule);
        const run = await runSwarm({
          slots: votes.map((vote) => vote.reviewer),
          rule,
          earlyStop: true,
          ask: async (index) => votes[index] as ReviewVote,
        });
        if (run.verdict === full) agree++;
        launched += run.launched;
        if ((run.verdict === 'approved') === good && run.verdict !== 'failed') earlyCorrect++;
        if ((full === 'approved') === good && full !== 'failed') fullCorrect++;
      }
      rows.push({
        accuracy,
        margin,
        agreement: agree / options.samples,
        callShare: launched / (options.samples * baseRule.swarmSize),
        earlyCorrect: earlyCorrect / options.samples,
        fullCorrect: fullCorrect / options.samples,
      });
    }
  }
  return rows;
}
