import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ReviewVote, runSwarm } from '../../../src/review/run-swarm.js';
import {
  approves,
  type CountedVote,
  earlyVerdict,
  finalVerdict,
  quorumOf,
  reviewersToLaunch,
  settledVerdict,
  tallyVotes,
  type VerdictRule,
} from '../../../src/review/verdict.js';
import { seededRandom } from '../../support/seeded-random.js';

const rule: VerdictRule = { swarmSize: 6, threshold: 0.6, maxAbstain: 3 };
const approve = (confidence: number): CountedVote => ({ vote: 'approve', confidence });
const reject = (confidence: number): CountedVote => ({ vote: 'reject', confidence });
const abstain: CountedVote = { vote: 'abstain', confidence: 0 };

test('confidence-weighted consensus: approved when the approval share reaches the threshold', () => {
  // 0.9 + 0.9 + 0.6 = 2.4 approve against 0.8 + 0.8 = 1.6 reject: share 0.6 exactly.
  const votes = [approve(0.9), approve(0.9), approve(0.6), reject(0.8), reject(0.8), abstain];
  const tally = tallyVotes(votes);
  assert.equal(tally.approvals, 3);
  assert.equal(tally.rejections, 2);
  assert.equal(tally.abstentions, 1);
  assert.ok(Math.abs(tally.approveWeight - 2.4) < 1e-12);
  assert.equal(finalVerdict(tally, rule), 'approved', 'a share equal to the threshold approves');
  const below = tallyVotes([approve(0.9), approve(0.9), approve(0.59), reject(0.8), reject(0.8)]);
  assert.equal(finalVerdict(below, rule), 'rejected');
});

test('weights, not heads: three unsure approvals lose to two confident rejections', () => {
  const tally = tallyVotes([approve(0.3), approve(0.3), approve(0.3), reject(0.95), reject(0.9)]);
  assert.equal(finalVerdict(tally, rule), 'rejected');
});

test('a tie never approves, even at a threshold of one half', () => {
  const even = { ...rule, threshold: 0.5 };
  assert.equal(
    finalVerdict(tallyVotes([approve(0.8), reject(0.8), approve(0.5), reject(0.5)]), even),
    'rejected',
  );
  assert.equal(approves(1, 1, 0.5), false);
  assert.equal(approves(1.01, 1, 0.5), true);
  assert.equal(approves(0, 0, 0.5), false, 'no weight at all is no approval');
});

test('confidences outside 0..1 are clamped and NaN counts as nothing', () => {
  const tally = tallyVotes([approve(7), reject(-3), approve(Number.NaN)]);
  assert.equal(tally.approveWeight, 1);
  assert.equal(tally.rejectWeight, 0);
  assert.equal(tally.counted, 3);
});

test('fails closed: more abstentions than allowed fail the review, whatever the others say', () => {
  assert.equal(quorumOf(rule), 3);
  const fourAbstain = tallyVotes([approve(1), approve(1), abstain, abstain, abstain, abstain]);
  assert.equal(finalVerdict(fourAbstain, rule), 'failed');
  const threeAbstain = tallyVotes([approve(1), approve(1), approve(1), abstain, abstain, abstain]);
  assert.equal(finalVerdict(threeAbstain, rule), 'approved');
  assert.equal(finalVerdict(tallyVotes([]), rule), 'failed', 'nobody voted');
});

test('settled: rejection after three confident rejections, approval only once the rest cannot outweigh it', () => {
  assert.equal(settledVerdict(tallyVotes([reject(0.9), reject(0.9), reject(0.9)]), 3, rule), 'rejected');
  assert.equal(settledVerdict(tallyVotes([approve(0.9), approve(0.9), approve(0.9)]), 3, rule), undefined);
  // 3.6 approve vs at most 2 reject: share 0.64.
  const four = tallyVotes([approve(0.9), approve(0.9), approve(0.9), approve(0.9)]);
  assert.equal(settledVerdict(four, 2, rule), 'approved');
  const unsure = tallyVotes([approve(0.7), approve(0.7), approve(0.7), approve(0.7)]);
  assert.equal(settledVerdict(unsure, 2, rule), undefined, '2.8 vs 2 could still fall to 0.58');
  assert.equal(settledVerdict(tallyVotes([abstain, abstain, abstain, abstain]), 2, rule), 'failed');
});

test('the MAKER margin stops on a lead the weights agree with', () => {
  const withMargin = { ...rule, margin: 3 };
  const three = tallyVotes([approve(0.9), approve(0.9), approve(0.9)]);
  assert.equal(earlyVerdict(three, 3, rule), undefined);
  assert.equal(earlyVerdict(three, 3, withMargin), 'approved');
  const twoOne = tallyVotes([approve(0.9), approve(0.9), reject(0.5)]);
  assert.equal(earlyVerdict(twoOne, 3, withMargin), undefined);
  const lopsided = tallyVotes([approve(0.1), approve(0.1), approve(0.1), approve(0.1), reject(1)]);
  assert.equal(earlyVerdict(lopsided, 3, withMargin), undefined, 'a head-count lead the weights contradict');
});

test('waves: the first launches the fewest reviewers that could settle, later ones only what is missing', () => {
  const empty = tallyVotes([]);
  assert.equal(reviewersToLaunch(empty, 0, 6, rule), 3, 'three rejections can settle a swarm of six');
  assert.equal(reviewersToLaunch(empty, 0, 6, { ...rule, margin: 2 }), 3, 'the quorum is three');
  assert.equal(reviewersToLaunch(empty, 0, 6, { ...rule, maxAbstain: 4, margin: 2 }), 2);
  const threeApprovals = tallyVotes([approve(0.9), approve(0.9), approve(0.9)]);
  assert.equal(reviewersToLaunch(threeApprovals, 0, 3, rule), 1);
  assert.equal(reviewersToLaunch(threeApprovals, 1, 2, rule), 0, 'the one in flight could settle it');
  const split = tallyVotes([approve(0.9), reject(0.9)]);
  assert.equal(reviewersToLaunch(split, 1, 3, rule), 1);
});

/** A random swarm's votes: each approves, rejects or abstains, with a random confidence. */
function randomVotes(random: () => number, size: number): ReviewVote[] {
  return Array.from({ length: size }, (_, index) => {
    const roll = random();
    const vote = roll < 0.12 ? 'abstain' : roll < 0.56 ? 'approve' : 'reject';
    const confidence = vote === 'abstain' ? 0 : Math.round(random() * 20) / 20;
    return { reviewer: `r${index}`, vote, confidence, reason: 'x', evidence: [] };
  });
}

test('property: without a margin, the early verdict always equals the full-swarm verdict', async () => {
  const seed = 20_261_127;
  const random = seededRandom(seed);
  let stoppedEarly = 0;
  for (let round = 0; round < 3_000; round++) {
    const size = 1 + Math.floor(random() * 9);
    const sample: VerdictRule = {
      swarmSize: size,
      threshold: [0.5, 0.6, 0.67, 0.75, 1][Math.floor(random() * 5)] ?? 0.6,
      maxAbstain: Math.floor(random() * size),
    };
    const votes = randomVotes(random, size);
    const full = finalVerdict(tallyVotes(votes), sample);
    // The pure rule at every prefix: once settled, it is the full verdict.
    for (let seen = 0; seen <= size; seen++) {
      const settled = settledVerdict(tallyVotes(votes.slice(0, seen)), size - seen, sample);
      if (settled !== undefined) {
        assert.equal(
          settled,
          full,
          `seed ${seed} round ${round}: ${JSON.stringify({ sample, votes, seen })}`,
        );
      }
    }
    // The swarm runner, votes arriving in launch order.
    const run = await runSwarm({
      slots: votes.map((vote) => vote.reviewer),
      rule: sample,
      earlyStop: true,
      ask: async (index) => votes[index] as ReviewVote,
    });
    assert.equal(
      run.verdict,
      full,
      `seed ${seed} round ${round}: swarm ${JSON.stringify({ sample, votes })}`,
    );
    if (run.stoppedEarly) stoppedEarly++;
  }
  assert.ok(stoppedEarly > 300, `early stopping happened (${stoppedEarly} of 3000)`);
});

test('property: votes arriving out of order still give the full verdict', async () => {
  const random = seededRandom(7);
  for (let round = 0; round < 500; round++) {
    const votes = randomVotes(random, 6);
    const delays = votes.map(() => Math.floor(random() * 5));
    const run = await runSwarm({
      slots: votes.map((vote) => vote.reviewer),
      rule,
      earlyStop: true,
      ask: async (index) => {
        for (let tick = 0; tick < (delays[index] ?? 0); tick++) await Promise.resolve();
        return votes[index] as ReviewVote;
      },
    });
    const launchedVotes = votes.slice(0, run.launched);
    const full = finalVerdict(tallyVotes(votes), rule);
    assert.equal(run.verdict, full, JSON.stringify({ votes, launchedVotes }));
  }
});
