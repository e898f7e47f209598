import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReviewEvidence } from '../../../src/review/evidence.js';
import { MemoryReviewCache } from '../../../src/review/review-cache.js';
import { resolveReviewSettings } from '../../../src/review/review-settings.js';
import { type ReviewRequest, ReviewSwarm, slotsOf } from '../../../src/review/review-swarm.js';
import type { ReviewVote } from '../../../src/review/run-swarm.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedReviewer, voteText } from './scripted-reviewer.js';

const evidence: ReviewEvidence = {
  sections: [
    { title: 'TASK', role: 'task', text: 'Make add() return the sum.' },
    { title: 'CHANGES', role: 'work', text: '@@ -1 +1 @@\n-  return a - b;\n+  return a + b;' },
    { title: "THE AGENT'S ANSWER", role: 'claim', text: 'Fixed it, all tests pass.' },
  ],
};
const approveVote = voteText('APPROVE', 0.9, 'returns the sum', 'return a + b;');
const rejectVote = voteText('REJECT', 0.9, 'subtracts', 'return a - b;');

function request(votes: ReviewVote[] = [], overrides: Partial<ReviewRequest> = {}): ReviewRequest {
  return {
    evidence,
    runId: 'run',
    stepId: 'add',
    attempt: 1,
    cwd: '/repo',
    signal: new AbortController().signal,
    onVote: (vote) => votes.push(vote),
    ...overrides,
  };
}

test('slots use the reviewers in turn, numbered when a reviewer sits more than once', () => {
  const a = new ScriptedReviewer('a', () => approveVote);
  const b = new ScriptedReviewer('b', () => approveVote);
  assert.deepEqual(
    slotsOf([a, b], 5).map((slot) => slot.name),
    ['a#1', 'b#1', 'a#2', 'b#2', 'a#3'],
  );
  assert.deepEqual(
    slotsOf([a, b], 2).map((slot) => slot.name),
    ['a', 'b'],
  );
});

test('early stopping: unanimous approvals settle after four of six, in two waves', async () => {
  const reviewer = new ScriptedReviewer('r', () => approveVote);
  const swarm = new ReviewSwarm([reviewer], resolveReviewSettings(), { clock: new FakeClock() });
  const votes: ReviewVote[] = [];
  const outcome = await swarm.review(request(votes));
  assert.equal(outcome.verdict, 'approved');
  assert.equal(outcome.launched, 4);
  assert.equal(reviewer.questions.length, 4);
  assert.equal(outcome.stoppedEarly, true);
  assert.equal(outcome.calls, 12);
  assert.deepEqual(
    votes.map((vote) => vote.vote),
    ['approve', 'approve', 'approve', 'approve'],
  );
  assert.deepEqual(votes[0]?.evidence, ['return a + b;']);
});

test('unanimous rejections settle after three; the full-swarm setting asks all six', async () => {
  const early = new ScriptedReviewer('r', () => rejectVote);
  const outcome = await new ReviewSwarm([early], resolveReviewSettings(), { clock: new FakeClock() }).review(
    request(),
  );
  assert.equal(outcome.verdict, 'rejected');
  assert.equal(early.questions.length, 3);
  const full = new ScriptedReviewer('r', () => rejectVote);
  const settings = resolveReviewSettings({ earlyStop: false });
  const fullOutcome = await new ReviewSwarm([full], settings, { clock: new FakeClock() }).review(request());
  assert.equal(fullOutcome.verdict, 'rejected');
  assert.equal(full.questions.length, 6);
  assert.equal(fullOutcome.stoppedEarly, false);
});

test('a reviewer that never answers is stopped at the timeout and abstains; the others decide', async () => {
  const clock = new FakeClock();
  const fast = new ScriptedReviewer('fast', () => rejectVote);
  const stuck = new ScriptedReviewer('stuck', () => ({ hang: true }));
  const settings = resolveReviewSettings({ reviewerTimeout: 60_000 });
  const votes: ReviewVote[] = [];
  const started = clock.now();
  const outcome = await clock.runUntilSettled(
    new ReviewSwarm([fast, stuck], settings, { clock }).review(request(votes)),
  );
  assert.equal(outcome.verdict, 'rejected');
  assert.equal(clock.now() - started, 120_000, 'two stuck reviewers in turn, each given its minute');
  assert.ok(stuck.aborted >= 1);
  const timedOut = votes.find((vote) => vote.reviewer.startsWith('stuck'));
  assert.match(timedOut?.reason ?? '', /TIMEOUT: no answer within 60 s/);
});

test("the step's abort stops every reviewer still working, and the review fails", async () => {
  const stuck = new ScriptedReviewer('stuck', () => ({ hang: true }));
  const controller = new AbortController();
  const review = new ReviewSwarm([stuck], resolveReviewSettings(), { clock: new FakeClock() }).review(
    request([], { signal: controller.signal }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('step cancelled'));
  const outcome = await review;
  assert.equal(outcome.verdict, 'failed');
  assert.equal(stuck.aborted, stuck.questions.length);
});

test('fails closed: a reviewer error is an abstention, and too many abstentions fail the review', async () => {
  const broken = new ScriptedReviewer('broken', () => ({ fail: { code: 'AUTH_FAILED', kind: 'permanent' } }));
  const votes: ReviewVote[] = [];
  const outcome = await new ReviewSwarm([broken], resolveReviewSettings(), { clock: new FakeClock() }).review(
    request(votes),
  );
  assert.equal(outcome.verdict, 'failed');
  assert.equal(outcome.tally.counted, 0);
  assert.ok(votes.length >= 4, 'it stops as soon as the quorum of three is out of reach');
  assert.ok(votes.every((vote) => vote.vote === 'abstain'));
  assert.match(votes[0]?.reason ?? '', /the reviewer failed: AUTH_FAILED/);
});

test('one failing reviewer among good ones is just an abstention', async () => {
  let asked = 0;
  const flaky = new ScriptedReviewer('r', () => (++asked === 1 ? { fail: {} } : approveVote));
  const outcome = await new ReviewSwarm([flaky], resolveReviewSettings(), { clock: new FakeClock() }).review(
    request(),
  );
  assert.equal(outcome.verdict, 'approved');
  assert.equal(outcome.tally.abstentions, 1);
  assert.equal(outcome.tally.approvals, 4);
});

test('evidence-bound: votes quoting text that is not there, or only the agent’s claims, are discarded', async () => {
  const answers = [
    voteText('APPROVE', 1, 'looks right', 'return a * b;'),
    voteText('APPROVE', 1, 'tests pass', 'all tests pass'),
    '{"vote": "APPROVE", "confidence": 1, "reason": "LGTM"}',
    rejectVote,
    rejectVote,
    rejectVote,
  ];
  let index = 0;
  const reviewer = new ScriptedReviewer('r', () => answers[index++] ?? rejectVote);
  const votes: ReviewVote[] = [];
  const outcome = await new ReviewSwarm([reviewer], resolveReviewSettings({ earlyStop: false }), {
    clock: new FakeClock(),
  }).review(request(votes));
  assert.equal(
    outcome.verdict,
    'rejected',
    'three fabricated approvals do not outvote three real rejections',
  );
  assert.equal(outcome.tally.abstentions, 3);
  assert.match(
    votes[0]?.reason ?? '',
    /approve vote was discarded: the quote "return a \* b;" is not in the evidence/,
  );
  assert.match(votes[1]?.reason ?? '', /agent's own claim/);
  assert.match(votes[2]?.reason ?? '', /quotes no evidence/);
});

test('requireEvidence: false counts unquoted votes', async () => {
  const reviewer = new ScriptedReviewer('r', () => '{"vote": "APPROVE", "confidence": 1, "reason": "LGTM"}');
  const settings = resolveReviewSettings({ requireEvidence: false });
  const outcome = await new ReviewSwarm([reviewer], settings, { clock: new FakeClock() }).review(request());
  assert.equal(outcome.verdict, 'approved');
});

test('cache: an identical review is answered without asking anyone; a different change is asked again', async () => {
  const reviewer = new ScriptedReviewer('r', () => approveVote);
  const cache = new MemoryReviewCache();
  const swarm = new ReviewSwarm([reviewer], resolveReviewSettings(), { clock: new FakeClock(), cache });
  await swarm.review(request());
  const asked = reviewer.questions.length;
  const votes: ReviewVote[] = [];
  const again = await swarm.review(request(votes, { attempt: 2 }));
  assert.equal(reviewer.questions.length, asked, 'no reviewer was asked');
  assert.equal(again.cached, true);
  assert.equal(again.calls, 0);
  assert.equal(again.verdict, 'approved');
  assert.equal(votes.length, 4, 'the cached votes are reported again');
  const changed: ReviewEvidence = {
    sections: evidence.sections.map((section) =>
      section.role === 'work' ? { ...section, text: `${section.text}\n+  // sum` } : section,
    ),
  };
  await swarm.review(request([], { evidence: changed }));
  assert.equal(reviewer.questions.length, asked + 4);
});

test('cache: a failed review is not kept, and the cache forgets its oldest entries', async () => {
  const broken = new ScriptedReviewer('broken', () => ({ fail: {} }));
  const cache = new MemoryReviewCache({ maxEntries: 1 });
  const swarm = new ReviewSwarm([broken], resolveReviewSettings(), { clock: new FakeClock(), cache });
  await swarm.review(request());
  assert.equal(cache.size, 0);
  await cache.put('a', { verdict: 'approved', votes: [], tally: tallyOf(), reviewedAt: 0 });
  await cache.put('b', { verdict: 'approved', votes: [], tally: tallyOf(), reviewedAt: 0 });
  assert.equal(await cache.get('a'), undefined);
  assert.ok(await cache.get('b'));
});

test('no reviewers: the review fails, never approves', async () => {
  const outcome = await new ReviewSwarm([], resolveReviewSettings(), { clock: new FakeClock() }).review(
    request(),
  );
  assert.equal(outcome.verdict, 'failed');
});

function tallyOf() {
  return { approvals: 0, rejections: 0, abstentions: 0, counted: 0, approveWeight: 0, rejectWeight: 0 };
}
