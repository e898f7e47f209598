import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { createProcessCgroup, processContainment } from '../../src/agents/process/cgroup.js';
import { identify } from '../../src/agents/process/proc-table.js';
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

  const { store, recorder } = runningStep(runId);
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

test('resume stops a contained step through its recorded cgroup, even a process that left its session and environment', {
  skip: processContainment().kind !== 'cgroup' && 'cgroup v2 containment is not usable here',
}, async () => {
  const runId = `cgroup-orphan-${process.pid}`;
  const cgroup = createProcessCgroup();
  assert.ok(cgroup);
  const { command, args } = cgroup.joiningCommand('/bin/sh', [
    '-c',
    `env -i /bin/sh -c 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!'; sleep 300`,
  ]);
  // The orchestrator that started it "died": the step's shell and what it left behind keep running.
  const step = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  step.unref();
  const escaped = await new Promise<number>((resolve) =>
    step.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
  );
  step.stdout.destroy();
  const identity = identify(step.pid as number);
  assert.ok(identity);
  const { store, recorder } = runningStep(runId);
  recorder.record({
    type: 'step.process-started',
    data: {
      stepId: 'work',
      attempt: 1,
      process: { ...identity, pgid: step.pid as number, cgroup: cgroup.path },
      logFile: '/dev/null',
    },
  });

  await recoverRunningSteps(recorder, { clock: systemClock, killGraceMs: 500, reason: 'test crash' });
  assert.equal(isAlive(escaped), false, 'the process that left its session was stopped');
  assert.equal(isAlive(step.pid as number), false, 'the step process was stopped');
  assert.equal(recorder.state.steps.work?.status, 'interrupted');
  store.close();
});

/** A store holding one run whose step `work` is running, as a crashed orchestrator left it. */
function runningStep(runId: string): { store: SqliteStore; recorder: RunRecorder } {
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
  return { store, recorder };
}
