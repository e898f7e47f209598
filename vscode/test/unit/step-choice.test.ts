import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choiceReport } from '../../../src/engine/choice/choice-report.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { replayEvents } from '../../../src/engine/projection.js';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { parsePlanText } from '../../../src/plan/load-plan.js';
import { stepChoice } from '../../src/runs/step-choice.js';

const runId = 'r1';
const resetAt = Date.UTC(2026, 0, 2, 14, 0);

/** A run with a best-of-2 step (one candidate failed its check), a step moved to codex, one parked. */
function choiceRun() {
  const plan = parsePlanText(
    `name: choice
steps:
  - { id: impl, agent: claude, prompt: "add", candidates: 2 }
  - { id: docs, agent: claude, prompt: "docs", fallback: [codex] }
  - { id: notes, agent: claude, prompt: "notes" }
`,
    'plan.yaml',
    { agents: agentCatalogOf(['claude', 'codex']) },
  );
  const bodies: Array<Pick<RunEvent, 'type' | 'data'>> = [
    {
      type: 'run.created',
      data: { plan, workspace: '/ws', planFile: 'plan.yaml', concurrency: 4, failFast: false },
    },
    { type: 'step.started', data: { stepId: 'impl#1', attempt: 1, agent: 'claude' } },
    { type: 'step.started', data: { stepId: 'impl#2', attempt: 1, agent: 'claude' } },
    {
      type: 'step.failed',
      data: {
        stepId: 'impl#1',
        attempt: 1,
        error: { code: 'CHECK_FAILED', message: 'check failed: 2 tests fail' },
        usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
      },
    },
    {
      type: 'step.stage-passed',
      data: {
        stepId: 'impl#2',
        attempt: 1,
        stage: 'merge',
        detail: { candidate: 'kept', ref: 'refs/ai-collab/r1/candidates/impl/2' },
      },
    },
    {
      type: 'step.succeeded',
      data: {
        stepId: 'impl#2',
        attempt: 1,
        durationMs: 5,
        usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.02 },
      },
    },
    {
      type: 'step.candidate-picked',
      data: {
        stepId: 'impl',
        attempt: 1,
        candidate: 'impl#2',
        mode: 'best',
        ranking: [
          {
            stepId: 'impl#2',
            agent: 'claude',
            status: 'succeeded',
            passed: true,
            score: 1,
            reason: 'passed',
          },
          {
            stepId: 'impl#1',
            agent: 'claude',
            status: 'failed',
            passed: false,
            reason: 'did not pass: check failed: 2 tests fail',
          },
        ],
      },
    },
    {
      type: 'step.failed-over',
      data: {
        stepId: 'docs',
        from: 'claude',
        to: 'codex',
        cause: 'usage-limit',
        reason: 'Claude AI usage limit reached',
        until: resetAt,
        window: 'five_hour',
      },
    },
    {
      type: 'step.parked',
      data: {
        stepId: 'notes',
        attempt: 0,
        until: resetAt,
        reason: 'Claude AI usage limit reached',
        agent: 'claude',
        window: 'five_hour',
      },
    },
  ];
  const state = replayEvents(
    bodies.map((body, index) => ({ ...body, runId, seq: index + 1, at: 1_000 + index }) as RunEvent),
  );
  assert.ok(state);
  return state;
}

test('a best-of-N step shows which candidate it picked, and each candidate’s outcome, score, cost and ref', () => {
  const choice = stepChoice(choiceReport(choiceRun()), 'impl');
  assert.equal(choice.description, 'picked impl#2 of 2');
  assert.deepEqual(choice.tooltip, [
    'candidates (pick: best):',
    '  impl#1 (claude) · failed · $0.0100 · did not pass: check failed: 2 tests fail',
    '  impl#2 (claude) · picked · score 1.00 · $0.0200 · refs/ai-collab/r1/candidates/impl/2',
  ]);
});

test('a step moved to its fallback says so, with the reason and the window its agent is parked on', () => {
  const choice = stepChoice(choiceReport(choiceRun()), 'docs');
  assert.equal(choice.description, 'moved to codex');
  assert.deepEqual(choice.tooltip, [
    'moved from claude to codex: usage-limit (parked until 2026-01-02T14:00:00.000Z, five_hour): Claude AI usage limit reached',
  ]);
});

test('a parked step says which agent it waits for and until when; a plain step adds nothing', () => {
  const state = choiceRun();
  const choice = stepChoice(choiceReport(state), 'notes');
  assert.equal(choice.description, 'waits for claude');
  assert.deepEqual(choice.tooltip, [
    "waits for claude's usage limit until 2026-01-02T14:00:00.000Z (five_hour): Claude AI usage limit reached",
  ]);
  assert.deepEqual(stepChoice(choiceReport(state), 'impl#1'), { tooltip: [] });
});
