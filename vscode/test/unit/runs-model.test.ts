import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runsToFollow } from '../../src/runs/follow-policy.js';
import { summarizeRuns } from '../../src/runs/run-status.js';
import { effectiveStatus, RunsModel } from '../../src/runs/runs-model.js';
import { snapshotOf, summaryOf, wire } from '../support/run-events.js';

const approvalRequested = { type: 'run.approval-requested', data: { reason: 'policy: always' } } as const;
const approved = { type: 'run.approved', data: { by: 'vscode' } } as const;

test('the runs list, then a snapshot moved forward by deltas with the engine’s reducer', () => {
  const model = new RunsModel();
  const listed = model.apply({ type: 'runs', runs: [summaryOf('r1', 'pending')] });
  assert.equal(listed.listReplaced, true);
  model.apply({ type: 'snapshot', runId: 'r1', seq: 1, state: snapshotOf('r1') });
  const change = model.apply({
    type: 'events',
    runId: 'r1',
    events: wire(
      2,
      approvalRequested,
      approved,
      {
        type: 'run.started',
        data: { owner: { pid: 1, startTime: 's', bootId: 'b', host: 'h' }, resumed: false },
      },
      { type: 'step.started', data: { stepId: 'build', attempt: 1, agent: 'shell' } },
    ),
  });
  assert.deepEqual(change.changed, ['r1']);
  const entry = model.get('r1');
  assert.equal(entry?.state?.lastSeq, 5);
  assert.equal(entry?.state?.steps.build?.status, 'running');
  assert.equal(effectiveStatus(entry ?? { summary: summaryOf('r1', 'x') }), 'running');
});

test('a run entering awaiting_approval is reported once, from the list or from events', () => {
  const model = new RunsModel();
  assert.deepEqual(
    model.apply({ type: 'runs', runs: [summaryOf('r1', 'awaiting_approval', 2)] }).awaitingApproval,
    ['r1'],
  );
  assert.deepEqual(
    model.apply({ type: 'run-updated', run: summaryOf('r1', 'awaiting_approval', 2) }).awaitingApproval,
    [],
  );
  model.apply({ type: 'snapshot', runId: 'r2', seq: 1, state: snapshotOf('r2') });
  const change = model.apply({ type: 'events', runId: 'r2', events: wire(2, approvalRequested) });
  assert.deepEqual(change.awaitingApproval, ['r2']);
});

test('events that do not continue the state held ask for a resync; repeated ones are ignored', () => {
  const model = new RunsModel();
  model.apply({ type: 'snapshot', runId: 'r1', seq: 1, state: snapshotOf('r1') });
  assert.deepEqual(model.apply({ type: 'events', runId: 'r1', events: wire(3, approved) }).resync, ['r1']);
  assert.equal(model.lastSeq('r1'), 1);
  model.apply({ type: 'events', runId: 'r1', events: wire(2, approvalRequested) });
  const repeated = model.apply({ type: 'events', runId: 'r1', events: wire(2, approvalRequested) });
  assert.deepEqual(repeated, { changed: [], awaitingApproval: [], resync: [], listReplaced: false });
  assert.deepEqual(model.apply({ type: 'events', runId: 'unknown', events: wire(1, approved) }).resync, [
    'unknown',
  ]);
});

test('a replaced runs list drops runs that are gone and keeps the states of the others', () => {
  const model = new RunsModel();
  model.apply({ type: 'snapshot', runId: 'r1', seq: 1, state: snapshotOf('r1') });
  model.apply({ type: 'runs', runs: [summaryOf('r1', 'pending'), summaryOf('r2', 'succeeded', 9, 5_000)] });
  model.apply({ type: 'runs', runs: [summaryOf('r1', 'pending')] });
  assert.deepEqual(
    model.list().map((entry) => entry.summary.runId),
    ['r1'],
  );
  assert.ok(model.get('r1')?.state);
});

test('the status bar: approval first, then running, then a failed latest run, else idle', () => {
  const entries = (statuses: string[]) =>
    statuses.map((status, index) => ({ summary: summaryOf(`r${index}`, status) }));
  assert.equal(summarizeRuns(entries(['succeeded', 'running', 'awaiting_approval'])).kind, 'approval');
  assert.equal(summarizeRuns(entries(['succeeded', 'running'])).text, '$(sync~spin) AI Collab: 1 running');
  assert.equal(summarizeRuns(entries(['failed', 'succeeded'])).kind, 'failed');
  assert.equal(summarizeRuns(entries(['succeeded', 'failed'])).kind, 'idle');
  assert.equal(summarizeRuns([]).text, '$(check) AI Collab: idle');
});

test('follows every unfinished run and the newest few, within the cap', () => {
  const entries = ['running', 'succeeded', 'failed', 'awaiting_approval', 'succeeded'].map(
    (status, index) => ({
      summary: summaryOf(`r${index}`, status),
    }),
  );
  assert.deepEqual(runsToFollow(entries, 2, 10), ['r0', 'r3', 'r1']);
  assert.deepEqual(runsToFollow(entries, 2, 2), ['r0', 'r3']);
});
