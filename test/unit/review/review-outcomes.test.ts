import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../../src/engine/events.js';
import { reviewOutcomes } from '../../../src/review/review-outcomes.js';
import { reliabilityFrom } from '../../../src/review/reviewer-reliability.js';
import type { VoteChoice } from '../../../src/review/verdict.js';

// Reviewers learn from what became of the work they approved, read from a run's log: seeded votes, then
// the check, the step's fate and the run's end as the engine records them.

type Body = Pick<RunEvent, 'type' | 'data'>;

function logOf(runId: string, bodies: Body[]): RunEvent[] {
  return bodies.map((body, index) => ({ ...body, runId, seq: index + 2, at: 1_000 + index }) as RunEvent);
}

/** A review of `stepId`'s attempt: each reviewer's vote, then the stage's approval. */
function approvedReview(stepId: string, attempt: number, votes: Record<string, VoteChoice>): Body[] {
  return [
    ...Object.entries(votes).map(
      ([reviewer, vote]): Body => ({
        type: 'step.review-vote',
        data: { stepId, attempt, reviewer, vote, confidence: 0.9, reason: 'seeded' },
      }),
    ),
    {
      type: 'step.stage-passed',
      data: { stepId, attempt, stage: 'review', detail: { verdict: 'approved', approvalShare: '0.667' } },
    },
  ];
}

const checkFailed = (stepId: string, attempt: number): Body => ({
  type: 'step.attempt-failed',
  data: {
    stepId,
    attempt,
    error: { code: 'CHECK_FAILED', kind: 'transient', message: 'check `npm test` exited 1' },
    retryAt: 5_000,
  },
});

test('approved work whose check failed, or whose step failed later, did not hold; merged work in a run that succeeded did', () => {
  const checked = logOf('r1', [
    ...approvedReview('parser', 1, { alpha: 'approve', beta: 'approve', gamma: 'reject' }),
    checkFailed('parser', 1),
    { type: 'step.succeeded', data: { stepId: 'parser', attempt: 2, durationMs: 10 } },
    { type: 'run.finished', data: { status: 'succeeded' } },
  ]);
  assert.deepEqual(reviewOutcomes(checked), [
    {
      stepId: 'parser',
      attempt: 1,
      votes: [
        { reviewer: 'alpha', vote: 'approve' },
        { reviewer: 'beta', vote: 'approve' },
        { reviewer: 'gamma', vote: 'reject' },
      ],
      held: false,
    },
  ]);
  const failedLater = logOf('r2', [
    ...approvedReview('api', 1, { alpha: 'approve', gamma: 'reject' }),
    {
      type: 'step.failed',
      data: { stepId: 'api', attempt: 1, error: { code: 'MERGE_CONFLICT', message: 'conflict in api.ts' } },
    },
    { type: 'run.finished', data: { status: 'failed' } },
  ]);
  assert.deepEqual(
    reviewOutcomes(failedLater).map((outcome) => outcome.held),
    [false],
  );
  const held = logOf('r3', [
    ...approvedReview('docs', 1, { alpha: 'approve', gamma: 'approve' }),
    { type: 'step.succeeded', data: { stepId: 'docs', attempt: 1, durationMs: 10 } },
    { type: 'run.finished', data: { status: 'succeeded' } },
  ]);
  assert.deepEqual(
    reviewOutcomes(held).map((outcome) => outcome.held),
    [true],
  );
  // A run still going has not decided whether its approved work holds.
  const going = logOf('r4', approvedReview('docs', 1, { alpha: 'approve' }));
  assert.deepEqual(reviewOutcomes(going), []);
});

test('a reviewer that approved work whose check then failed loses reliability; the one that rejected it gains', () => {
  // From verdicts alone the three look alike: each agreed with four approvals.
  const reviews = Array.from({ length: 4 }, () => ({
    votes: [
      { reviewer: 'alpha', vote: 'approve' as const },
      { reviewer: 'beta', vote: 'approve' as const },
      { reviewer: 'gamma', vote: 'approve' as const },
    ],
    verdict: 'approved' as const,
  }));
  const verdictsOnly = reliabilityFrom(reviews);
  assert.equal(verdictsOnly.accuracyOf('alpha'), verdictsOnly.accuracyOf('gamma'));
  // Then two approvals alpha gave turned out wrong: the check failed and the step failed. Gamma rejected both.
  const log = logOf('r5', [
    ...approvedReview('parser', 1, { alpha: 'approve', beta: 'approve', gamma: 'reject' }),
    checkFailed('parser', 1),
    ...approvedReview('lexer', 1, { alpha: 'approve', gamma: 'reject' }),
    {
      type: 'step.failed',
      data: { stepId: 'lexer', attempt: 1, error: { code: 'AGENT_ERROR', message: 'exited 1' } },
    },
    { type: 'run.finished', data: { status: 'failed' } },
  ]);
  const learned = reliabilityFrom(reviews, reviewOutcomes(log));
  assert.equal(learned.accuracyOf('alpha'), (4 + 1) / (6 + 2), 'four right, two wrong, with the prior');
  assert.ok(learned.accuracyOf('alpha') < verdictsOnly.accuracyOf('alpha'));
  assert.ok(learned.accuracyOf('beta') < verdictsOnly.accuracyOf('beta'));
  assert.ok(learned.accuracyOf('gamma') > learned.accuracyOf('alpha'));
  assert.deepEqual(learned.recordOf('gamma'), { agreed: 6, disagreed: 0 });
});

test('a person discarding a run without applying it counts against the approvers of its merged steps; applying it counts for them', () => {
  const merged = (stepId: string): Body => ({
    type: 'step.succeeded',
    data: { stepId, attempt: 1, durationMs: 10 },
  });
  const discarded = (wasApplied: boolean): Body => ({
    type: 'run.discarded',
    data: { wasApplied, removedBranches: 1, removedWorktrees: 0, by: 'cli' },
  });
  const run = [
    ...approvedReview('docs', 1, { alpha: 'approve', gamma: 'reject' }),
    merged('docs'),
    { type: 'run.finished', data: { status: 'succeeded' } },
  ] satisfies Body[];
  // Before the person decides, a succeeded run's merged work held, as before.
  assert.deepEqual(
    reviewOutcomes(logOf('r6', run)).map((outcome) => outcome.held),
    [true],
  );
  assert.deepEqual(
    reviewOutcomes(logOf('r6', [...run, discarded(false)])).map((outcome) => outcome.held),
    [false],
    'discarded, never applied: the approvers were wrong',
  );
  // A failed run's merged work was undecided; discarding it decides it, and once only per attempt.
  const failedRun = [
    ...approvedReview('docs', 1, { alpha: 'approve' }),
    merged('docs'),
    { type: 'run.finished', data: { status: 'failed' } },
  ] satisfies Body[];
  assert.deepEqual(reviewOutcomes(logOf('r7', failedRun)), []);
  assert.deepEqual(
    reviewOutcomes(logOf('r7', [...failedRun, discarded(false), discarded(false)])).map(
      (outcome) => outcome.held,
    ),
    [false],
  );
  const applied: Body = {
    type: 'run.applied',
    data: {
      branch: 'main',
      how: 'fast-forward',
      from: 'a'.repeat(40),
      commit: 'b'.repeat(40),
      files: 1,
      by: 'cli',
    },
  };
  assert.deepEqual(
    reviewOutcomes(logOf('r8', [...failedRun, applied])).map((outcome) => outcome.held),
    [true],
    'applied: the approvers were right',
  );
  // Branches dropped after the work was applied reject nothing.
  assert.deepEqual(
    reviewOutcomes(logOf('r9', [...run, applied, discarded(true)])).map((outcome) => outcome.held),
    [true],
  );
  // Approved work that did not merge (its step failed) stays against its approvers, discarded or not.
  const notMerged = logOf('r10', [
    ...approvedReview('api', 1, { alpha: 'approve' }),
    checkFailed('api', 1),
    { type: 'run.finished', data: { status: 'failed' } },
    discarded(false),
  ]);
  assert.deepEqual(
    reviewOutcomes(notMerged).map((outcome) => outcome.held),
    [false],
  );
});
