import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  confidentVerdict,
  fullApprovalChance,
  posteriorRight,
  voteWeight,
} from '../../../src/review/confident-verdict.js';
import { ReviewerReliability } from '../../../src/review/reviewer-reliability.js';
import { type ReviewVote, runSwarm } from '../../../src/review/run-swarm.js';
import {
  approves,
  type CountedVote,
  finalVerdict,
  tallyVotes,
  type VerdictRule,
} from '../../../src/review/verdict.js';
import { seededRandom } from '../../support/seeded-random.js';

const rule: VerdictRule = { swarmSize: 6, threshold: 0.6, maxAbstain: 3 };

/** One change's votes: reviewer i is right with probability accuracies[i]. */
function votesOn(random: () => number, good: boolean, accuracies: readonly number[]): ReviewVote[] {
  return accuracies.map((accuracy, index) => {
    const right = random() < accuracy;
    const confidence = right ? 0.6 + 0.4 * random() : 0.5 + 0.4 * random();
    const vote = good === right ? 'approve' : 'reject';
    return { reviewer: `r${index}`, vote, confidence, reason: 'seeded', evidence: [] };
  });
}

test('a reviewer with no record is neutral: accuracy 0.5, and its vote weighs nothing', () => {
  const reliability = new ReviewerReliability();
  assert.equal(reliability.accuracyOf('newcomer'), 0.5);
  assert.equal(voteWeight(0.5), 0);
  assert.equal(posteriorRight({ approverAccuracies: [0.5, 0.5], rejecterAccuracies: [] }), 0.5);
  reliability.learn([{ reviewer: 'newcomer', vote: 'abstain' }], 'approved');
  reliability.learn([{ reviewer: 'newcomer', vote: 'approve' }], 'failed');
  assert.equal(reliability.accuracyOf('newcomer'), 0.5, 'abstentions and failed reviews teach nothing');
});

test('a swarm of neutral reviewers stops exactly where the settled rule does', async () => {
  const random = seededRandom(11);
  for (let sample = 0; sample < 300; sample++) {
    const votes = votesOn(random, random() < 0.5, [0.8, 0.8, 0.8, 0.8, 0.8, 0.8]);
    const ask = async (index: number) => votes[index] as ReviewVote;
    const slots = votes.map((vote) => vote.reviewer);
    const settled = await runSwarm({ slots, rule, earlyStop: true, ask });
    const neutral = await runSwarm({ slots, rule, earlyStop: true, ask, accuracyOf: () => 0.5 });
    assert.equal(neutral.verdict, settled.verdict, `sample ${sample}`);
    assert.equal(neutral.launched, settled.launched, `sample ${sample}`);
  }
});

test('estimates converge toward each reviewer’s true accuracy and keep their order', () => {
  const accuracies = [0.7, 0.8, 0.9, 0.95];
  const random = seededRandom(2026);
  const fromChecks = new ReviewerReliability();
  const fromVerdicts = new ReviewerReliability();
  for (let sample = 0; sample < 4_000; sample++) {
    const good = random() < 0.5;
    const votes = votesOn(random, good, accuracies);
    // A check or a later outcome says whether the change was right; the verdict is the swarm's word.
    fromChecks.learn(votes, good ? 'approved' : 'rejected');
    fromVerdicts.learn(votes, finalVerdict(tallyVotes(votes), { ...rule, swarmSize: 4, maxAbstain: 1 }));
  }
  accuracies.forEach((accuracy, index) => {
    const fromCheck = fromChecks.accuracyOf(`r${index}`);
    assert.ok(
      Math.abs(fromCheck - accuracy) < 0.02,
      `r${index}: ${fromCheck} against checks, true ${accuracy}`,
    );
    // Agreement with the swarm's verdict is pulled toward the verdict's own accuracy, never far off.
    const fromVerdict = fromVerdicts.accuracyOf(`r${index}`);
    assert.ok(Math.abs(fromVerdict - accuracy) < 0.1, `r${index}: ${fromVerdict}, true ${accuracy}`);
  });
  for (let index = 1; index < accuracies.length; index++)
    assert.ok(fromVerdicts.accuracyOf(`r${index}`) > fromVerdicts.accuracyOf(`r${index - 1}`));
});

/** The chance the full swarm approves, by brute force over the remaining votes (all at confidence 1). */
function bruteApprovalChance(approvers: number[], rejecters: number[], remaining: number[]): number {
  let right = 1;
  let wrong = 1;
  for (const p of approvers) [right, wrong] = [right * p, wrong * (1 - p)];
  for (const p of rejecters) [right, wrong] = [right * (1 - p), wrong * p];
  const prior = right / (right + wrong);
  const walk = (index: number, a: number, r: number, ifRight: number, ifWrong: number): number => {
    if (index === remaining.length) {
      const counted = a + r >= 3;
      return counted && approves(a, r, rule.threshold) ? prior * ifRight + (1 - prior) * ifWrong : 0;
    }
    const p = remaining[index] as number;
    return (
      walk(index + 1, a + 1, r, ifRight * p, ifWrong * (1 - p)) +
      walk(index + 1, a, r + 1, ifRight * (1 - p), ifWrong * p)
    );
  };
  return walk(0, approvers.length, rejecters.length, 1, 1);
}

test('the confident rule never stops while the other verdict keeps more than a 1 % chance', () => {
  const random = seededRandom(99);
  let stops = 0;
  for (let sample = 0; sample < 3_000; sample++) {
    const accuracy = () => 0.5 + 0.49 * random();
    const voted = Math.floor(random() * 6);
    const votes: CountedVote[] = [];
    const approvers: number[] = [];
    const rejecters: number[] = [];
    for (let index = 0; index < voted; index++) {
      const approve = random() < 0.5;
      votes.push({ vote: approve ? 'approve' : 'reject', confidence: 1 });
      (approve ? approvers : rejecters).push(accuracy());
    }
    const remaining = Array.from({ length: 6 - voted }, accuracy);
    const state = {
      tally: tallyVotes(votes),
      approverAccuracies: approvers,
      rejecterAccuracies: rejecters,
      remaining,
    };
    const chance = bruteApprovalChance(approvers, rejecters, remaining);
    assert.ok(Math.abs(fullApprovalChance(state, rule) - chance) < 1e-9, `sample ${sample}`);
    const verdict = confidentVerdict(state, rule);
    if (verdict === 'approved') assert.ok(chance >= 0.99, `sample ${sample}: stopped at ${chance}`);
    else if (verdict === 'rejected') assert.ok(chance <= 0.01, `sample ${sample}: stopped at ${chance}`);
    else assert.ok(chance > 0.01 && chance < 0.99, `sample ${sample}: did not stop at ${chance}`);
    if (verdict !== undefined) stops++;
  }
  assert.ok(stops > 300, 'the rule does stop where it is sure');
});

test('learned from the verdicts, the early verdict equals the full swarm’s ≥ 99 % of the time, for fewer calls', async () => {
  for (const accuracy of [0.7, 0.9]) {
    const random = seededRandom(Math.round(accuracy * 1_000));
    const reliability = new ReviewerReliability();
    let agree = 0;
    let launchedLearned = 0;
    let launchedSettled = 0;
    const samples = 1_500;
    for (let sample = 0; sample < samples; sample++) {
      const votes = votesOn(random, random() < 0.5, Array(6).fill(accuracy));
      const ask = async (index: number) => votes[index] as ReviewVote;
      const slots = votes.map((vote) => vote.reviewer);
      const run = await runSwarm({
        slots,
        rule,
        earlyStop: true,
        ask,
        accuracyOf: (index) => reliability.accuracyOf(`r${index}`),
      });
      reliability.learn(run.votes, run.verdict);
      if (run.verdict === finalVerdict(tallyVotes(votes), rule)) agree++;
      launchedLearned += run.launched;
      launchedSettled += (await runSwarm({ slots, rule, earlyStop: true, ask })).launched;
    }
    assert.ok(agree / samples >= 0.99, `accuracy ${accuracy}: early = full ${agree / samples}`);
    if (accuracy === 0.9)
      assert.ok(
        launchedLearned < 0.85 * launchedSettled,
        `${launchedLearned} vs ${launchedSettled} launched`,
      );
  }
});
