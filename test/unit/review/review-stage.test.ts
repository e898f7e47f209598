import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepHooks } from '../../../src/engine/step-hooks.js';
import type { StepChanges } from '../../../src/review/gather-evidence.js';
import { MemoryReviewCache } from '../../../src/review/review-cache.js';
import { resolveReviewSettings } from '../../../src/review/review-settings.js';
import { createReviewStage } from '../../../src/review/review-stage.js';
import { ReviewSwarm } from '../../../src/review/review-swarm.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';
import { type ScriptedAnswer, ScriptedReviewer, voteText } from './scripted-reviewer.js';

const wrong = '@@ -1 +1 @@\n-  return 0;\n+  return a - b;';
const right = '@@ -1 +1 @@\n-  return 0;\n+  return a + b;';

function judge(evidence: string): ScriptedAnswer {
  if (evidence.includes('+  return a - b;'))
    return voteText('REJECT', 0.9, 'add() subtracts instead of adding', 'return a - b;');
  return voteText('APPROVE', 0.85, 'add() returns the sum', 'return a + b;');
}

function setup(reviewers: ScriptedReviewer[], changesOf: (attempt: number) => StepChanges | undefined) {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('coder', clock, () => ({ durationMs: 100 }));
  const swarm = new ReviewSwarm(reviewers, resolveReviewSettings(), {
    clock,
    cache: new MemoryReviewCache(),
  });
  const hooks: StepHooks = {
    stages: [createReviewStage({ swarm, changesOf: async (context) => changesOf(context.attempt) })],
  };
  const { engine } = createTestEngine({ clock, agents: [agent], hooks });
  return { clock, agent, engine };
}

const backoff = { initialMs: 10, maxMs: 10, factor: 1 };

test('a rejected change is retried with the reviewers’ reasons and approved the second time', async () => {
  const reviewers = [
    new ScriptedReviewer('alpha', (q) => judge(q.evidence)),
    new ScriptedReviewer('beta', (q) => judge(q.evidence)),
  ];
  const { clock, agent, engine } = setup(reviewers, (attempt) => ({
    patch: attempt === 1 ? wrong : right,
    files: ['add.ts'],
  }));
  const run = engine.createRun({
    plan: planOf([{ id: 'add', agent: 'coder', action: 'edit', retries: 2, backoff }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.steps.add?.status, 'succeeded');
  assert.equal(state.steps.add?.attempts, 2);
  const feedback = agent.timeline.filter((entry) => entry.what === 'start')[1]?.feedback ?? '';
  assert.match(feedback, /Reviewers rejected your previous attempt/);
  assert.match(
    feedback,
    /- alpha#1 \(confidence 0.90\), beta#1 \(confidence 0.90\), alpha#2 \(confidence 0.90\): add\(\) subtracts instead of adding \(about "return a - b;"\)/,
  );
  assert.equal(state.steps.add?.error, undefined);
  assert.deepEqual(state.steps.add?.stageDetail?.review?.verdict, 'approved');
  assert.equal(state.steps.add?.stageDetail?.review?.votes, '4 approve, 0 reject, 0 abstain');
  assert.equal(state.steps.add?.votes?.length, 4, 'the votes of the approved attempt');
  assert.match(state.steps.add?.votes?.[0]?.reason ?? '', /\[evidence: "return a \+ b;"\]/);
});

test('the rejection is in the log: every vote as an event, and the attempt failed with the reasons', async () => {
  const reviewers = [new ScriptedReviewer('alpha', (q) => judge(q.evidence))];
  const { clock, engine } = setup(reviewers, () => ({ patch: wrong, files: ['add.ts'] }));
  const run = engine.createRun({
    plan: planOf([{ id: 'add', agent: 'coder', action: 'edit', retries: 1, backoff }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.steps.add?.status, 'failed');
  assert.equal(state.steps.add?.error?.code, 'REVIEW_REJECTED');
  assert.match(state.steps.add?.error?.message ?? '', /rejected by the reviewers: 3 of 3 reviewers rejected/);
  const second = reviewers[0]?.questions.length ?? 0;
  assert.equal(second, 3, 'the second identical change came from the cache: only the first was asked');
});

test('fails closed: when the reviewers cannot answer, the step fails and never succeeds', async () => {
  const reviewers = [
    new ScriptedReviewer('broken', () => ({
      fail: { code: 'AUTH_FAILED', kind: 'permanent', message: 'set OPENAI_API_KEY' },
    })),
  ];
  const { clock, engine } = setup(reviewers, () => ({ patch: right, files: ['add.ts'] }));
  const run = engine.createRun({
    plan: planOf([{ id: 'add', agent: 'coder', action: 'edit', retries: 3, backoff }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.steps.add?.status, 'failed');
  assert.equal(state.steps.add?.attempts, 1, 'a permanent failure of every reviewer is not retried');
  assert.equal(state.steps.add?.error?.code, 'AUTH_FAILED');
  assert.match(
    state.steps.add?.error?.message ?? '',
    /the review could not be made: \d of 6 reviewers abstained/,
  );
  assert.ok(state.steps.add?.votes?.every((vote) => vote.vote === 'abstain'));
});

test('steps that need no review skip the stage', async () => {
  const reviewer = new ScriptedReviewer('alpha', (q) => judge(q.evidence));
  const { clock, engine } = setup([reviewer], () => ({ patch: wrong, files: [] }));
  const run = engine.createRun({
    plan: planOf([
      { id: 'look', agent: 'coder', action: 'analyze' },
      { id: 'test', agent: 'coder', run: 'npm test' },
    ]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(reviewer.questions.length, 0);
});

test('a CLI reviewer that changes the step’s files fails the review', async () => {
  let patch = right;
  const meddler = new ScriptedReviewer(
    'meddler',
    (q) => {
      patch = `${right}\n+  // reviewed`;
      return judge(q.evidence);
    },
    'agent',
  );
  const { clock, engine } = setup([meddler], () => ({ patch, files: ['add.ts'] }));
  const run = engine.createRun({
    plan: planOf([{ id: 'add', agent: 'coder', action: 'edit', retries: 0, backoff }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.steps.add?.status, 'failed');
  assert.match(
    state.steps.add?.error?.message ?? '',
    /a reviewer changed the step's files during its review/,
  );
});
