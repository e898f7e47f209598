import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { renderLiveFrame } from '../../../src/cli/output/live-frame.js';
import { describeEvent } from '../../../src/cli/output/plain-progress.js';
import { renderSummary } from '../../../src/cli/output/run-summary.js';
import { buildRunReport } from '../../../src/cli/run-report.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { applyEvent, createRunState } from '../../../src/engine/projection.js';
import { planOf } from '../../support/test-engine.js';

const colors = pc.createColors(false);

function stateAfter(events: Array<Omit<RunEvent, 'runId' | 'seq'>>, stepCount = 3) {
  const plan = planOf(
    Array.from({ length: stepCount }, (_, index) => ({ id: `s${index}`, needs: index === 2 ? ['s1'] : [] })),
  );
  const state = createRunState({
    type: 'run.created',
    runId: 'r1',
    seq: 1,
    at: 0,
    data: { plan, workspace: '/w', planFile: null, concurrency: 2, failFast: false },
  });
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
  assert.match(summary, /^s1 +timer +succeeded +1 +\S+ +-$/m);
  assert.match(summary, /Used 13k input and 1\.0k output tokens, \$0\.030\./);
  const report = buildRunReport(state);
  assert.deepEqual(report.usage, { inputTokens: 12_500, outputTokens: 1_000, costUsd: 0.03 });
  assert.equal(report.steps[1]?.usage, undefined);
});
