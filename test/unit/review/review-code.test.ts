import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeReviewResult, reviewCodeWith } from '../../../src/review/review-code.js';
import { resolveReviewSettings } from '../../../src/review/review-settings.js';
import { ReviewSwarm } from '../../../src/review/review-swarm.js';
import type { Reviewer, ReviewQuestion } from '../../../src/review/reviewer.js';
import { InputError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A reviewer that votes as told and remembers what it was shown. */
function reviewer(
  name: string,
  vote: 'APPROVE' | 'REJECT' | 'fail',
  quote: string,
  shown: string[],
): Reviewer {
  return {
    name,
    kind: 'chat',
    identity: `test ${name}`,
    async ask(question: ReviewQuestion) {
      shown.push(question.evidence);
      if (vote === 'fail') {
        return {
          result: { ok: false, failure: { code: 'MODEL_ERROR', kind: 'permanent', message: 'bad key' } },
          calls: 1,
          requests: 1,
          rateLimited: 0,
        };
      }
      const text = JSON.stringify({
        vote,
        confidence: 0.8,
        reason: `${name} says ${vote}`,
        evidence: [quote],
      });
      return { result: { ok: true, text }, calls: 3, requests: 3, rateLimited: 0 };
    },
  };
}

const diff = '--- a/add.ts\n+++ b/add.ts\n@@ -1 +1 @@\n-return a - b;\n+return a + b;\n';

test('reviewCode answers in the front ends’ shape: verdict, score, each vote, cached, calls', async () => {
  const shown: string[] = [];
  const swarm = new ReviewSwarm(
    [
      reviewer('alpha', 'APPROVE', 'return a + b;', shown),
      reviewer('beta', 'APPROVE', 'return a + b;', shown),
    ],
    resolveReviewSettings({ swarmSize: 2, maxAbstain: 0 }),
    { clock: new FakeClock() },
  );
  const review = await reviewCodeWith(
    swarm,
    { diff, code: 'export function add(a, b) { return a + b; }', path: 'add.ts', language: 'TypeScript' },
    { cwd: '/tmp', signal: new AbortController().signal },
  );
  assert.equal(review.kind, 'diff');
  assert.deepEqual(review.result, {
    verdict: 'approved',
    score: 1,
    votes: [
      { reviewer: 'alpha', vote: 'approve', confidence: 0.8, reason: 'alpha says APPROVE' },
      { reviewer: 'beta', vote: 'approve', confidence: 0.8, reason: 'beta says APPROVE' },
    ],
    cached: false,
    calls: 6,
  });
  assert.match(shown[0] ?? '', /CHANGES: unified diff from add\.ts/);
  assert.match(shown[0] ?? '', /Review this change \(TypeScript\)/);
  assert.match(shown[0] ?? '', /FILE add\.ts \(the code the change is about\)/);
});

test('a review that could not be made is rejected with the problem, never approved', async () => {
  const shown: string[] = [];
  const swarm = new ReviewSwarm(
    [reviewer('alpha', 'fail', '', shown), reviewer('beta', 'APPROVE', 'return a + b;', shown)],
    resolveReviewSettings({ swarmSize: 2, maxAbstain: 0 }),
    { clock: new FakeClock() },
  );
  const review = await reviewCodeWith(swarm, { diff }, { cwd: '/tmp', signal: new AbortController().signal });
  assert.equal(review.verdict, 'failed');
  assert.equal(review.result.verdict, 'rejected');
  assert.match(review.result.problem ?? '', /the review could not be made: 1 of 2 reviewers abstained/);
  assert.deepEqual(codeReviewResult(review), review.result);
  await assert.rejects(
    reviewCodeWith(swarm, { code: '  ' }, { cwd: '/tmp', signal: new AbortController().signal }),
    InputError,
  );
});
