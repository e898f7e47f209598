import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failoverCause, nextFallback } from '../../../src/engine/choice/failover.js';
import { rankCandidates } from '../../../src/engine/choice/rank-candidates.js';
import type { RunState, StepState } from '../../../src/engine/run-state.js';

function candidate(id: string, fields: Partial<StepState>): StepState {
  return {
    id,
    label: id,
    agent: 'claude',
    needs: [],
    dependents: ['impl'],
    waitingOn: 0,
    status: 'succeeded',
    attempts: 1,
    failures: 0,
    candidateOf: 'impl',
    ...fields,
  };
}

function stateWith(pick: 'best' | 'first', candidates: StepState[]): { state: RunState; pick: StepState } {
  const pickStep: StepState = {
    ...candidate('impl', { status: 'running', candidates: candidates.map((entry) => entry.id), pick }),
    dependents: [],
  };
  const steps: Record<string, StepState> = { impl: pickStep };
  for (const entry of candidates) steps[entry.id] = entry;
  const state = { runId: 'r', steps } as unknown as RunState;
  return { state, pick: pickStep };
}

const reviewed = (share: number) => ({ review: { approvalShare: share.toFixed(3) } });

test('best: the higher review score wins over an earlier finish; failed candidates rank last with why', () => {
  const { state, pick } = stateWith('best', [
    candidate('impl#1', { finishedAt: 1, stageDetail: reviewed(0.6), resultCommit: 'a' }),
    candidate('impl#2', { finishedAt: 5, stageDetail: reviewed(0.9), resultCommit: 'b' }),
    candidate('impl#3', {
      status: 'failed',
      error: { code: 'EXIT_CODE', message: 'check `npm test` exited 1' },
    }),
  ]);
  const choice = rankCandidates(state, pick);
  assert.equal(choice.picked, 'impl#2');
  assert.deepEqual(
    choice.ranking.map((entry) => [entry.stepId, entry.passed, entry.score]),
    [
      ['impl#2', true, 0.9],
      ['impl#1', true, 0.6],
      ['impl#3', false, undefined],
    ],
  );
  assert.match(choice.ranking[2]?.reason ?? '', /did not pass: check `npm test` exited 1/);
});

test('best: on equal scores a change beats none, then the cheaper wins', () => {
  const { state, pick } = stateWith('best', [
    candidate('impl#1', { finishedAt: 1, stageDetail: reviewed(1) }),
    candidate('impl#2', {
      finishedAt: 2,
      stageDetail: reviewed(1),
      resultCommit: 'b',
      usage: { inputTokens: 1, outputTokens: 1, costUsd: 0.5 },
    }),
    candidate('impl#3', {
      finishedAt: 3,
      stageDetail: reviewed(1),
      resultCommit: 'c',
      usage: { inputTokens: 1, outputTokens: 1, costUsd: 0.1 },
    }),
  ]);
  assert.deepEqual(
    rankCandidates(state, pick).ranking.map((entry) => entry.stepId),
    ['impl#3', 'impl#2', 'impl#1'],
  );
});

test('first: the one that finished first, whatever its score; none passing picks nothing', () => {
  const first = stateWith('first', [
    candidate('impl#1', { finishedAt: 9, stageDetail: reviewed(1) }),
    candidate('impl#2', { finishedAt: 4, stageDetail: reviewed(0.5) }),
  ]);
  assert.equal(rankCandidates(first.state, first.pick).picked, 'impl#2');
  const none = stateWith('best', [candidate('impl#1', { status: 'cancelled' })]);
  assert.equal(rankCandidates(none.state, none.pick).picked, undefined);
});

test('failover goes to the first usable fallback, never back to an agent it left', () => {
  const usable = (agent: string) => agent !== 'gemini';
  assert.equal(nextFallback({ current: 'claude', chain: ['gemini', 'codex'], left: [], usable }), 'codex');
  assert.equal(
    nextFallback({ current: 'codex', chain: ['claude', 'codex'], left: ['claude'], usable }),
    undefined,
  );
  assert.equal(nextFallback({ current: 'claude', chain: [], left: [], usable }), undefined);
});

test('only the agent’s own usage limits, unusability and crash loops move a step; a stage’s failure does not', () => {
  assert.equal(failoverCause({ code: 'USAGE_LIMIT', kind: 'usage-limit', message: 'limit' }), 'usage-limit');
  assert.equal(
    failoverCause({ code: 'USAGE_LIMIT', kind: 'usage-limit', message: 'reviewers', stage: 'review' }),
    undefined,
  );
  assert.equal(
    failoverCause({
      code: 'AGENT_CRASHED',
      kind: 'permanent',
      message: 'agent claude crashed 5 times within 60s and was stopped',
    }),
    'crash-loop',
  );
  assert.equal(failoverCause({ code: 'AUTH_FAILED', kind: 'permanent', message: 'bad key' }), 'unusable');
  assert.equal(failoverCause({ code: 'EXIT_CODE', kind: 'transient', message: 'exit 1' }), undefined);
  assert.equal(failoverCause({ code: 'AGENT_ERROR', kind: 'permanent', message: 'max turns' }), undefined);
});
