import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBootId } from '../../../src/agents/process/proc-table.js';
import type { StepHooks } from '../../../src/engine/step-hooks.js';
import { OrchestratorError } from '../../../src/support/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('a prepared workspace is where the agent works, and it is recorded', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const hooks: StepHooks = {
    prepare: async ({ step, attempt }) => ({
      cwd: `/worktrees/${step.id}-${attempt}`,
      detail: { branch: `ai-collab/${step.id}` },
    }),
  };
  const { engine } = createTestEngine({ clock, agents: [agent], hooks });
  const run = engine.createRun({ plan: planOf([{ id: 'edit' }]), workspace: '/repo', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(agent.timeline[0]?.workspace, '/worktrees/edit-1');
  assert.equal(state.steps.edit?.cwd, '/worktrees/edit-1');
  assert.deepEqual(state.steps.edit?.workspaceDetail, { branch: 'ai-collab/edit' });
});

test('a rejected review retries the step with the reviewers’ reasons, and votes are recorded', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  let reviews = 0;
  const hooks: StepHooks = {
    stages: [
      {
        name: 'review',
        appliesTo: () => true,
        run: async (context) => {
          reviews++;
          const approve = reviews > 1;
          context.recordVote({
            reviewer: 'r1',
            vote: approve ? 'approve' : 'reject',
            confidence: 0.9,
            reason: approve ? 'fine' : 'missing tests',
          });
          return approve
            ? { kind: 'passed', detail: { verdict: 'approved' } }
            : { kind: 'rejected', reason: 'missing tests', feedback: 'Reviewers asked for: missing tests' };
        },
      },
    ],
  };
  const { engine } = createTestEngine({ clock, agents: [agent], hooks });
  const run = engine.createRun({
    plan: planOf([{ id: 'edit', retries: 2, backoff: { initialMs: 10, maxMs: 10, factor: 1 } }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.edit?.attempts, 2);
  const starts = agent.timeline.filter((entry) => entry.what === 'start');
  assert.equal(starts[0]?.feedback, undefined);
  assert.equal(starts[1]?.feedback, 'Reviewers asked for: missing tests');
  assert.deepEqual(
    state.steps.edit?.votes?.map((vote) => vote.vote),
    ['approve'],
    'votes of the last attempt',
  );
  assert.deepEqual(state.steps.edit?.stageDetail, { review: { verdict: 'approved' } });
});

test('a merge conflict marks the step conflicted and blocks its dependents; other branches finish', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const hooks: StepHooks = {
    stages: [
      {
        name: 'merge',
        appliesTo: (step) => step.id === 'clash',
        run: async () => ({ kind: 'conflicted', files: ['src/a.ts'], message: 'both changed src/a.ts' }),
      },
    ],
  };
  const { engine } = createTestEngine({ clock, agents: [agent], hooks });
  const run = engine.createRun({
    plan: planOf([{ id: 'clash' }, { id: 'after', needs: ['clash'] }, { id: 'free' }]),
    workspace: '/repo',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'failed');
  assert.equal(state.steps.clash?.status, 'conflicted');
  assert.deepEqual(state.steps.clash?.conflictFiles, ['src/a.ts']);
  assert.equal(state.steps.after?.status, 'blocked');
  assert.equal(state.steps.free?.status, 'succeeded');
});

test('a workspace that cannot be prepared is retried unless the error’s kind says retrying cannot help', async () => {
  const attemptsWhenPrepareThrows = async (error: Error) => {
    const clock = new FakeClock();
    const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
    let prepares = 0;
    const hooks: StepHooks = {
      prepare: async () => {
        prepares++;
        throw error;
      },
    };
    const { engine } = createTestEngine({ clock, agents: [agent], hooks });
    const plan = planOf([{ id: 'edit', retries: 2 }]);
    const run = engine.createRun({ plan, workspace: '/repo', planFile: null });
    const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
    assert.equal(state.steps.edit?.status, 'failed');
    return { prepares, kind: state.steps.edit?.error?.kind };
  };
  assert.deepEqual(await attemptsWhenPrepareThrows(new Error('git lock held')), {
    prepares: 3,
    kind: 'transient',
  });
  assert.deepEqual(
    await attemptsWhenPrepareThrows(new OrchestratorError('USAGE', 'refused', { kind: 'permanent' })),
    { prepares: 1, kind: 'permanent' },
  );
});

for (const stage of ['review', 'merge'] as const) {
  test(`a step whose ${stage} a crash cut short runs again on resume, and the run finishes`, async () => {
    const clock = new FakeClock();
    const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
    let cutShort = true;
    const hooks: StepHooks = {
      stages: [
        {
          name: stage,
          appliesTo: () => true,
          // The first process dies inside the stage: its promise never settles.
          run: () => (cutShort ? new Promise<never>(() => {}) : Promise.resolve({ kind: 'passed' })),
        },
      ],
    };
    // The first process, on this machine, is gone (a pid no process has): its run is taken over at once.
    const gone = { pid: 4_194_001, startTime: '1', bootId: readBootId(), host: 'here' };
    const first = createTestEngine({ clock, agents: [agent], hooks, owner: gone });
    const run = first.engine.createRun({
      plan: planOf([{ id: 'edit' }, { id: 'after', needs: ['edit'] }]),
      workspace: '/repo',
      planFile: null,
    });
    const handle = first.engine.startRun(run.runId);
    await clock.advance(1_000);
    assert.equal(handle.state.steps.edit?.status, stage === 'review' ? 'reviewing' : 'merging');
    cutShort = false;
    const second = createTestEngine({ clock, store: first.store, agents: [agent], hooks });
    const resumed = await second.engine.resumeRun(run.runId);
    const state = await clock.runUntilSettled(resumed.done);
    assert.equal(state.status, 'succeeded');
    assert.equal(state.steps.edit?.status, 'succeeded');
    assert.equal(
      state.steps.edit?.attempts,
      2,
      'the cut-short attempt is interrupted, and the step runs again',
    );
    assert.equal(state.steps.after?.status, 'succeeded');
  });
}
