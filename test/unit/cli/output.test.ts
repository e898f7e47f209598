import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { renderLiveFrame } from '../../../src/cli/output/live-frame.js';
import { describeEvent } from '../../../src/cli/output/plain-progress.js';
import { renderSummary } from '../../../src/cli/output/run-summary.js';
import { renderStepReviews } from '../../../src/cli/output/step-reviews-text.js';
import { buildRunReport } from '../../../src/cli/run-report.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { applyEvent, createRunState } from '../../../src/engine/projection.js';
import { planOf, runCreatedBody } from '../../support/test-engine.js';

const colors = pc.createColors(false);

function stateAfter(events: Array<Omit<RunEvent, 'runId' | 'seq'>>, stepCount = 3) {
  const plan = planOf(
    Array.from({ length: stepCount }, (_, index) => ({ id: `s${index}`, needs: index === 2 ? ['s1'] : [] })),
  );
  const state = createRunState({ ...runCreatedBody(plan, 2), runId: 'r1', seq: 1, at: 0 });
  for (const [index, event] of events.entries())
    applyEvent(state, { ...event, runId: 'r1', seq: index + 2 } as RunEvent);
  return state;
}

const owner = { pid: 1, startTime: '1', bootId: 'b', host: 'h' };

test('the live frame shows each step, a progress bar with done/total and an ETA', () => {
  const state = stateAfter([
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 's0', attempt: 1, agent: 'timer' } },
    { type: 'step.succeeded', at: 2_000, data: { stepId: 's0', attempt: 1, durationMs: 2_000 } },
    { type: 'step.started', at: 2_000, data: { stepId: 's1', attempt: 1, agent: 'timer' } },
  ] as never);
  const frame = renderLiveFrame(state, { now: 3_000, width: 100, height: 20, frame: 0, colors });
  assert.match(frame, /✔ s0 +timer +#1 2\.0s/);
  assert.match(frame, /⠋ s1 +timer +#1 1\.0s/);
  assert.match(frame, /· s2 +timer .*waiting on s1/);
  assert.match(frame, /1\/3 · 1 running · 3\.0s elapsed · ETA 6\.0s/);
});

test('when steps do not fit, running and failed steps are shown and the rest summarised', () => {
  const state = stateAfter(
    [
      { type: 'run.started', at: 0, data: { owner, resumed: false } },
      { type: 'step.started', at: 0, data: { stepId: 's5', attempt: 1, agent: 'timer' } },
    ] as never,
    30,
  );
  const frame = renderLiveFrame(state, { now: 10, width: 80, height: 8, frame: 0, colors });
  assert.ok(frame.split('\n').length <= 8);
  assert.match(frame, / s5 /);
  assert.match(frame, /… 26 more steps/);
});

test('plain progress lines are timestamped and say what happened and what is next', () => {
  const state = stateAfter([]);
  const line = describeEvent(
    {
      type: 'step.attempt-failed',
      runId: 'r1',
      seq: 2,
      at: 0,
      data: {
        stepId: 's0',
        attempt: 1,
        error: { code: 'EXIT_CODE', message: 'exit code 1' },
        retryAt: 1_500,
      },
    },
    state,
  );
  assert.equal(line, '1970-01-01T00:00:00.000Z step s0 attempt 1 failed: exit code 1; retrying in 1.5s');
});

test('the summary and the JSON report name blocked steps and the failure that blocked them', () => {
  const state = stateAfter([
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 's1', attempt: 1, agent: 'timer' } },
    {
      type: 'step.failed',
      at: 100,
      data: { stepId: 's1', attempt: 1, error: { code: 'EXIT_CODE', message: 'exit code 2: boom' } },
    },
    { type: 'step.started', at: 0, data: { stepId: 's0', attempt: 1, agent: 'timer' } },
    { type: 'step.succeeded', at: 200, data: { stepId: 's0', attempt: 1, durationMs: 200 } },
    { type: 'run.finished', at: 300, data: { status: 'failed' } },
  ] as never);
  const summary = renderSummary(state, {
    colors,
    now: 300,
    cwd: '/w',
    logsDir: '/w/.ai-collab/runs/r1/logs',
  });
  assert.match(summary, /s2 +timer +blocked +0 +- +blocked by failed step s1/);
  assert.match(
    summary,
    /Run r1 failed: 1 succeeded, 1 failed, 1 blocked in 300ms\. Logs: \.ai-collab\/runs\/r1\/logs/,
  );
  const report = buildRunReport(state);
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.status, step.error]),
    [
      ['s0', 'succeeded', undefined],
      ['s1', 'failed', 'exit code 2: boom'],
      ['s2', 'blocked', 'blocked by failed step s1'],
    ],
  );
  assert.equal(report.startedAt, 0);
  assert.equal(report.finishedAt, 300);
});

test('tokens and cost are shown per step and summed over attempts and steps', () => {
  const state = stateAfter([
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 's0', attempt: 1, agent: 'claude' } },
    {
      type: 'step.attempt-failed',
      at: 10,
      data: {
        stepId: 's0',
        attempt: 1,
        error: { code: 'EXIT_CODE', message: 'x' },
        retryAt: 20,
        usage: { inputTokens: 1_000, outputTokens: 100, costUsd: 0.01 },
      },
    },
    { type: 'step.started', at: 20, data: { stepId: 's0', attempt: 2, agent: 'claude' } },
    {
      type: 'step.succeeded',
      at: 30,
      data: {
        stepId: 's0',
        attempt: 2,
        durationMs: 10,
        output: 'done',
        usage: { inputTokens: 11_500, outputTokens: 900, costUsd: 0.02 },
      },
    },
    { type: 'step.started', at: 30, data: { stepId: 's1', attempt: 1, agent: 'shell' } },
    { type: 'step.succeeded', at: 40, data: { stepId: 's1', attempt: 1, durationMs: 10 } },
    { type: 'step.started', at: 40, data: { stepId: 's2', attempt: 1, agent: 'shell' } },
    { type: 'step.succeeded', at: 50, data: { stepId: 's2', attempt: 1, durationMs: 10 } },
    { type: 'run.finished', at: 50, data: { status: 'succeeded' } },
  ] as never);
  assert.equal(state.steps.s0?.output, 'done');
  const summary = renderSummary(state, { colors, now: 50, cwd: '/w', logsDir: '/w/logs' });
  assert.match(summary, /tokens in\/out/);
  assert.match(summary, /s0 +timer +succeeded +2 +\S+ +13k\/1\.0k/);
  // A step that reported no usage shows no tokens and no cost.
  assert.match(summary, /^s1 +timer +succeeded +1 +\S+ +- +-$/m);
  assert.match(summary, /s0 +timer +succeeded +2 +\S+ +13k\/1\.0k +\$0\.030/);
  assert.match(summary, /Used 13k input and 1\.0k output tokens, \$0\.030\./);
  const report = buildRunReport(state);
  assert.deepEqual(report.usage, { inputTokens: 12_500, outputTokens: 1_000, costUsd: 0.03 });
  assert.equal(report.steps[1]?.usage, undefined);
});

test('a step’s review in the report: rejected with the votes of that attempt, then the approved retry alone', () => {
  const vote = (reviewer: string, choice: string, confidence: number) => ({
    type: 'step.review-vote',
    at: 5,
    data: {
      stepId: 's0',
      attempt: 1,
      reviewer,
      vote: choice,
      confidence,
      reason: `${reviewer} says ${choice}`,
    },
  });
  const started = (attempt: number, at: number) => ({
    type: 'step.started',
    at,
    data: { stepId: 's0', attempt, agent: 'claude' },
  });
  const firstAttempt = [
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    started(1, 0),
    { type: 'step.stage-started', at: 4, data: { stepId: 's0', attempt: 1, stage: 'review' } },
    vote('alpha', 'reject', 0.9),
    vote('beta', 'approve', 0.3),
  ];
  const reviewing = buildRunReport(stateAfter(firstAttempt as never)).steps[0]?.review;
  assert.equal(reviewing?.verdict, 'pending');
  const rejectedState = stateAfter([
    ...firstAttempt,
    {
      type: 'step.attempt-failed',
      at: 6,
      data: {
        stepId: 's0',
        attempt: 1,
        error: { code: 'REVIEW_REJECTED', message: 'rejected by the reviewers: 1 of 2' },
        retryAt: 10,
      },
    },
  ] as never);
  assert.deepEqual(buildRunReport(rejectedState).steps[0]?.review, {
    verdict: 'rejected',
    score: 0.25,
    votes: [
      { reviewer: 'alpha', vote: 'reject', confidence: 0.9, reason: 'alpha says reject' },
      { reviewer: 'beta', vote: 'approve', confidence: 0.3, reason: 'beta says approve' },
    ],
  });
  const text = renderStepReviews(rejectedState, colors);
  assert.match(text, /^Reviews\n {2}s0 {2}rejected {2}score 0\.25 {2}\(1 approve, 1 reject, 0 abstain\)$/m);
  assert.match(text, /^ {4}reject {3}alpha {2}confidence 0\.90 {2}alpha says reject$/m);

  const approvedState = stateAfter([
    ...firstAttempt,
    {
      type: 'step.attempt-failed',
      at: 6,
      data: { stepId: 's0', attempt: 1, error: { code: 'REVIEW_REJECTED', message: 'x' }, retryAt: 10 },
    },
    started(2, 10),
    { ...vote('gamma', 'approve', 0.8), data: { ...vote('gamma', 'approve', 0.8).data, attempt: 2 } },
    {
      type: 'step.stage-passed',
      at: 12,
      data: { stepId: 's0', attempt: 2, stage: 'review', detail: { verdict: 'approved' } },
    },
    { type: 'step.succeeded', at: 13, data: { stepId: 's0', attempt: 2, durationMs: 3 } },
  ] as never);
  const approved = buildRunReport(approvedState).steps[0]?.review;
  assert.equal(approved?.verdict, 'approved');
  assert.equal(approved?.score, 1);
  assert.deepEqual(
    approved?.votes.map((each) => each.reviewer),
    ['gamma'],
    'only the votes of the attempt that counts',
  );
  assert.equal(buildRunReport(approvedState).steps[1]?.review, undefined);
  assert.equal(renderStepReviews(stateAfter([]), colors), '', 'no section when nothing was reviewed');
});

test('a new attempt forgets the stage facts of the one before', () => {
  const state = stateAfter([
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 's0', attempt: 1, agent: 'claude' } },
    {
      type: 'step.stage-passed',
      at: 1,
      data: { stepId: 's0', attempt: 1, stage: 'review', detail: { verdict: 'approved' } },
    },
    { type: 'step.conflicted', at: 2, data: { stepId: 's0', attempt: 1, files: ['a'], message: 'conflict' } },
    { type: 'step.retry-requested', at: 3, data: { stepId: 's0', by: 'cli' } },
    { type: 'step.started', at: 4, data: { stepId: 's0', attempt: 2, agent: 'claude' } },
  ] as never);
  assert.equal(state.steps.s0?.stageDetail, undefined);
  assert.equal(buildRunReport(state).steps[0]?.review, undefined, 'no verdict of an earlier attempt');
});

test('reviewers’ names and reasons reach the terminal with control sequences neutralised', () => {
  const state = stateAfter([
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 's0', attempt: 1, agent: 'claude' } },
    {
      type: 'step.review-vote',
      at: 1,
      data: {
        stepId: 's0',
        attempt: 1,
        reviewer: 'r\x1b]0;x\x07',
        vote: 'reject',
        confidence: 1,
        reason: 'bad\x1b[31m red',
      },
    },
  ] as never);
  const text = renderStepReviews(state, colors);
  assert.ok(!text.includes('\x1b') && !text.includes('\x07'), JSON.stringify(text));
  assert.match(text, /bad.*red/);
});
