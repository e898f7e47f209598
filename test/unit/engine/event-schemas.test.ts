import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptEventError, EventDecoder, replayLog } from '../../../src/engine/decode-events.js';
import type { EventData, RunEvent, RunEventType } from '../../../src/engine/events.js';
import type { PlanDefinition, StepDefinition } from '../../../src/protocol/plan-types.js';
import { OrchestratorError } from '../../../src/support/errors.js';
import { silentLogger } from '../../../src/support/logger.js';

/** A step with every field set, so a field the decoder dropped would show. */
const fullStep: StepDefinition = {
  id: 'a',
  label: 1,
  agent: 'claude',
  action: 'write',
  target: 'src/a.ts',
  description: 'write a',
  prompt: 'write a',
  run: 'true',
  needs: ['z'],
  retries: 2,
  backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
  timeoutMs: 5_000,
  estimateMs: 3_000,
  review: true,
  isolate: true,
  env: { A: '1' },
  check: 'npm test',
  pick: 'best',
  candidates: ['a#1'],
  candidateOf: 'b',
  candidate: 1,
  fallback: ['codex'],
  budget: { usd: 1, tokens: 1_000 },
};

const fullPlan: PlanDefinition = {
  name: 'p',
  concurrency: 4,
  format: 'seed',
  steps: [fullStep],
  meta: { analysis: { rationale: 'why' }, confidence: 0.9 },
  workspace: { setup: ['npm ci'] },
  budget: { usd: 5 },
};

const usage = {
  inputTokens: 10,
  outputTokens: 5,
  cachedInputTokens: 2,
  costUsd: 0.01,
  model: 'm',
  costSource: 'reported' as const,
  costUnknown: false,
};
const error = {
  code: 'EXIT_CODE',
  kind: 'transient',
  message: 'exit 1',
  resetAt: 9,
  exitCode: 1,
  signal: 'SIGTERM',
  outputTail: 'tail',
};
const owner = { pid: 1, startTime: '100', bootId: 'boot', host: 'h' };
const at = { stepId: 'a', attempt: 1 };

/** One event of each type, every optional field set; the compiler refuses this list without every type. */
const samples: { [T in RunEventType]: EventData<T> } = {
  'run.created': { plan: fullPlan, workspace: '/w', planFile: null, concurrency: 4, failFast: true },
  'run.approval-requested': { reason: 'review' },
  'run.approval-decided': { decision: 'approved', by: 'cli', reason: 'ok', plan: fullPlan },
  'run.plan-replaced': { plan: fullPlan, by: 'terminal' },
  'run.approved': { by: 'terminal' },
  'run.rejected': { by: 'terminal', reason: 'no' },
  'run.started': { owner, resumed: false },
  'run.workspace-prepared': { detail: { branch: 'ai-collab/r1' } },
  'run.workspace-finished': { summary: { merged: ['a'], nested: { kept: 1 } } },
  'run.paused': {},
  'run.budget-set': { budget: { usd: 10, tokens: 100 }, by: 'cli' },
  'run.budget-reached': {
    budget: { usd: 1 },
    spent: { usd: 1.5, tokens: 20, uncostedTokens: 0 },
    waiting: 2,
  },
  'run.resumed': {},
  'run.interrupted': { reason: 'SIGINT' },
  'run.finished': { status: 'failed' },
  'run.applied': { branch: 'main', how: 'merged', from: 'abc', commit: 'def', files: 3, by: 'cli' },
  'run.discarded': { wasApplied: true, removedBranches: 2, removedWorktrees: 1, by: 'cli' },
  'step.started': { ...at, agent: 'claude' },
  'step.worker-assigned': { ...at, worker: 'w1', host: 'h1' },
  'step.process-started': {
    ...at,
    process: { pid: 2, pgid: 2, startTime: '5', bootId: 'boot', cgroup: '/sys/fs/cgroup/x' },
    logFile: '/l',
  },
  'step.succeeded': {
    ...at,
    durationMs: 10,
    output: 'done',
    usage,
    sessionId: 's',
    filesChanged: ['a.ts'],
    startCommit: 'a1',
    resultCommit: 'b2',
  },
  'step.attempt-failed': { ...at, error, retryAt: 50, usage, feedback: 'fix it' },
  'step.failed': { ...at, error, usage },
  'step.interrupted': { ...at, reason: 'SIGINT' },
  'step.workspace-prepared': { ...at, cwd: '/w/a', detail: { worktree: '/w/a' } },
  'step.stage-started': { ...at, stage: 'check' },
  'step.stage-passed': { ...at, stage: 'review', detail: { approvalShare: '1' } },
  'step.setup-finished': {
    ...at,
    commands: ['npm ci'],
    durationMs: 3,
    ok: false,
    portBase: 40_000,
    error,
  },
  'step.review-vote': { ...at, reviewer: 'r', vote: 'approve', confidence: 0.8, reason: 'fine' },
  'step.conflicted': { ...at, files: ['a.ts'], message: 'conflict', resolvedBy: 'a-resolve' },
  'step.added': { step: fullStep, resolves: 'a' },
  'step.resolved': { stepId: 'a', by: 'a-resolve' },
  'step.retry-requested': { stepId: 'a', by: 'cli' },
  'step.parked': { ...at, until: 99, reason: 'limit', agent: 'claude', window: 'five_hour' },
  'step.failed-over': {
    stepId: 'a',
    from: 'claude',
    to: 'codex',
    cause: 'usage-limit',
    reason: 'limit',
    until: 99,
    window: 'five_hour',
  },
  'step.candidate-picked': {
    ...at,
    candidate: 'a#1',
    mode: 'best',
    ranking: [
      {
        stepId: 'a#1',
        agent: 'claude',
        status: 'succeeded',
        passed: true,
        score: 1,
        costUsd: 0.1,
        reason: 'best',
      },
    ],
  },
  'step.cancelled': { stepId: 'a', reason: 'fail-fast' },
  'step.waiting': { ...at, reason: 'no worker offers claude' },
  'step.waiting-ended': at,
  'step.stale-report': { ...at, attemptId: 'att', execution: 'e1', worker: 'w1', reason: 'stalled' },
};

/** What the store hands the decoder: the data as the JSON text it was written as, parsed back. */
function stored(type: string, data: unknown, seq = 1) {
  return { type, seq, at: 1_000 + seq, data: JSON.parse(JSON.stringify(data)) };
}

test('every event type decodes from its stored JSON to the event that was written, every field kept', () => {
  const decoder = new EventDecoder(silentLogger);
  for (const [type, data] of Object.entries(samples)) {
    const decoded = decoder.decodeOne(stored(type, data, 7), 'r1');
    assert.deepEqual(decoded, { type, runId: 'r1', seq: 7, at: 1_007, data }, type);
  }
});

test('a known event whose data does not match its type stops the read, naming the file, run, seq, type and field', () => {
  const decoder = new EventDecoder(silentLogger, '/home/u/.ai-collab/state.db');
  const bad = stored(
    'step.succeeded',
    { ...samples['step.succeeded'], usage: { ...usage, inputTokens: '10' } },
    12,
  );
  assert.throws(
    () => decoder.decodeOne(bad, 'r1'),
    (thrown: unknown) => {
      assert.ok(thrown instanceof CorruptEventError);
      assert.ok(thrown instanceof OrchestratorError, 'one of the product’s errors');
      assert.equal(thrown.code, 'STORE_CORRUPT');
      assert.match(
        thrown.message,
        /^run r1: event 12 \(step\.succeeded\) in \/home\/u\/\.ai-collab\/state\.db is not a valid step\.succeeded: data\.usage\.inputTokens: .*number/,
      );
      assert.match(thrown.message, /restore the file from a backup/);
      assert.deepEqual(thrown.details, {
        runId: 'r1',
        seq: 12,
        type: 'step.succeeded',
        source: '/home/u/.ai-collab/state.db',
        field: 'data.usage.inputTokens',
      });
      return true;
    },
  );
  assert.throws(
    () => decoder.decodeOne(stored('run.finished', { status: 'exploded' }, 3), 'r2'),
    /event 3 \(run\.finished\) .*: data\.status: /,
  );
  assert.throws(
    () => decoder.decodeOne(stored('step.started', null, 4), 'r2'),
    /event 4 \(step\.started\) .*: data: /,
  );
});

test('a log written by the first versions decodes and replays: fields added since are absent, not required', () => {
  // The shapes of the first releases (git history of events.ts and plan-types.ts): no usage, commits,
  // cgroup, feedback, parked agent or window; approvals as run.plan-replaced/run.approved; the migrated
  // run.approval-decided of the approvals table (store migration 5) without reason or plan.
  const oldStep = {
    id: 'a',
    label: 'a',
    agent: 'shell',
    run: 'true',
    needs: [],
    retries: 1,
    backoff: { initialMs: 1, maxMs: 2, factor: 2 },
  };
  const oldPlan = { name: 'old', format: 'native', steps: [oldStep, { ...oldStep, id: 'b', label: 'b' }] };
  const log = [
    [
      'run.created',
      { plan: oldPlan, workspace: '/w', planFile: 'plan.yaml', concurrency: 2, failFast: false },
    ],
    ['run.approval-requested', { reason: 'review' }],
    ['run.plan-replaced', { plan: oldPlan, by: 'terminal' }],
    ['run.approved', { by: 'terminal' }],
    ['run.started', { owner, resumed: false }],
    ['step.started', { ...at, agent: 'shell' }],
    [
      'step.process-started',
      { ...at, process: { pid: 2, pgid: 2, startTime: '5', bootId: 'b' }, logFile: '/l' },
    ],
    ['step.attempt-failed', { ...at, error: { code: 'EXIT_CODE', message: 'exit 1' }, retryAt: 5 }],
    ['step.started', { stepId: 'a', attempt: 2, agent: 'shell' }],
    ['step.succeeded', { stepId: 'a', attempt: 2, durationMs: 4 }],
    ['step.started', { stepId: 'b', attempt: 1, agent: 'shell' }],
    ['step.parked', { stepId: 'b', attempt: 1, until: 10, reason: 'usage limit' }],
    ['run.interrupted', { reason: 'SIGINT' }],
    ['run.resumed', {}],
    ['step.stage-started', { stepId: 'b', attempt: 1, stage: 'merge' }],
    [
      'step.failed',
      { stepId: 'b', attempt: 1, error: { code: 'EXIT_CODE', kind: 'permanent', message: 'x' } },
    ],
    ['run.finished', { status: 'failed' }],
  ] as const;
  const decoder = new EventDecoder(silentLogger);
  const events = log.map(([type, data], index) => decoder.decodeOne(stored(type, data, index + 1), 'old'));
  const state = replayLog(events);
  assert.equal(state?.status, 'failed');
  assert.equal(state?.steps.a?.status, 'succeeded');
  assert.equal(state?.steps.b?.status, 'failed');
  assert.equal(state?.lastSeq, log.length);

  const migrated = decoder.decodeOne(
    stored('run.approval-decided', { decision: 'rejected', by: 'cli' }),
    'm',
  );
  assert.deepEqual(migrated.data, { decision: 'rejected', by: 'cli' });
});

test('a newer version’s extra field in a known event is dropped, not refused', () => {
  const decoder = new EventDecoder(silentLogger);
  const event = decoder.decodeOne(stored('run.approved', { by: 'cli', via: 'phone' }), 'r1');
  assert.deepEqual(event, {
    type: 'run.approved',
    runId: 'r1',
    seq: 1,
    at: 1_001,
    data: { by: 'cli' },
  } satisfies RunEvent);
});
