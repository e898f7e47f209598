import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReviewers, withoutReview } from '../../../src/cli/review-preflight.js';
import { stepsNeedingReview } from '../../../src/review/review-stage.js';
import { InputError } from '../../../src/support/errors.js';
import { planOf } from '../../support/test-engine.js';

const plan = planOf([
  { id: 'schema', agent: 'claude', action: 'edit', target: 'db.ts' },
  { id: 'docs', agent: 'claude', action: 'write', review: false },
  { id: 'look', agent: 'claude', action: 'analyze' },
  { id: 'test', agent: 'shell', run: 'npm test' },
  { id: 'lint', agent: 'shell', run: 'npm run lint', review: true },
]);

const none = { configured: false, problems: [], swarm: { usable: false } };

test('a plan that needs review, with no usable reviewer, is refused naming the steps and the fix', () => {
  assert.throws(
    () => checkReviewers(plan.steps, none),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'PLAN_INVALID');
      const text = error.problems.join('\n');
      assert.match(text, /steps that change code and must be reviewed: schema, lint\n/);
      assert.match(text, /review\.reviewers/);
      assert.match(text, /--no-review/);
      return true;
    },
  );
  const configured = {
    configured: true,
    problems: ['reviewer "x" cannot run: KEY is not set; export KEY'],
    swarm: { usable: false },
  };
  assert.throws(
    () => checkReviewers(plan.steps, configured),
    (error: unknown) => error instanceof InputError && /KEY is not set/.test(error.problems.join('\n')),
  );
});

test('a plan without reviewed steps runs without reviewers; with some usable, the others are warnings', () => {
  assert.deepEqual(checkReviewers(withoutReview(plan).steps, none), []);
  assert.deepEqual(checkReviewers(planOf([{ id: 'look', action: 'analyze' }]).steps, none), []);
  const some = { configured: true, problems: ['reviewer "x" cannot run'], swarm: { usable: true } };
  assert.deepEqual(checkReviewers(plan.steps, some), [
    'reviewer "x" cannot run (the other reviewers review)',
  ]);
});

test('--no-review is recorded on the steps that would have been reviewed, and only those', () => {
  const off = withoutReview(plan);
  assert.deepEqual(stepsNeedingReview(off.steps), []);
  assert.deepEqual(
    off.steps.map((step) => [step.id, step.review]),
    [
      ['schema', false],
      ['docs', false],
      ['look', undefined],
      ['test', undefined],
      ['lint', false],
    ],
  );
});
