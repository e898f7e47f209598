import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { processTagName } from '../../src/agents/shell/shell-agent.js';
import type { RunEvent } from '../../src/engine/events.js';
import { createRunState } from '../../src/engine/projection.js';
import { recoverRunningSteps } from '../../src/engine/recover-steps.js';
import { RunRecorder } from '../../src/engine/run-recorder.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { isAlive, waitFor } from '../support/cli.js';
import { planOf } from '../support/test-engine.js';

test('resume finds a step process by its environment tag when the crash came before its pid was recorded', async () => {
  const runId = `orphan-${process.pid}`;
  // A detached process in its own session, as an agent's daemonised helper would be: no recorded pid,
  // parent gone, only the inherited tag says whose it is.
  const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [processTagName]: `${runId}/work/1` },
  });
  orphan.unref();
  const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [processTagName]: `${runId}/other-step/1` },
  });
  unrelated.unref();
  await waitFor(
    () => isAlive(orphan.pid as number) && isAlive(unrelated.pid as number),
    'the processes to start',
  );

  const store = new SqliteStore({ path: ':memory:', clock: systemClock });
  const plan = planOf([{ id: 'work' }]);
  const created = {
    type: 'run.created',
    runId,
    seq: 1,
    at: 0,
    data: { plan, workspace: '/tmp', planFile: null, concurrency: 1, failFast: false },
  } as const;
  store.createRun(
    {
      runId,
      name: 'n',
      workspace: '/tmp',
      planFile: null,
      status: 'running',
      stepCount: 1,
      createdAt: 0,
      finishedAt: null,
      owner: null,
    },
    created,
  );
  const recorder = new RunRecorder(
    store,
    systemClock,
    createRunState(created as Extract<RunEvent, { type: 'run.created' }>),
  );
  recorder.record({ type: 'step.started', data: { stepId: 'work', attempt: 1, agent: 'timer' } });

  const recovered = await recoverRunningSteps(recorder, {
    clock: systemClock,
    killGraceMs: 500,
    reason: 'test crash',
  });
  assert.equal(recovered, 1);
  assert.equal(isAlive(orphan.pid as number), false, 'the tagged orphan was stopped');
  assert.equal(isAlive(unrelated.pid as number), true, "another step's process is left alone");
  assert.equal(recorder.state.steps.work?.status, 'interrupted');
  process.kill(unrelated.pid as number, 'SIGKILL');
  store.close();
});
