import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { queueNameOf } from '../../src/distributed/job-protocol.js';
import { runCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { markerLines, openCluster, planFile, redisMissing, succeededRun } from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

const skip = await redisMissing();

test('while no live worker offers its agent a step shows "waiting for a worker that runs <agent>" (in the log, the terminal and status), until a worker arrives', {
  skip,
  timeout: 1_800_000,
}, async () => {
  const cluster = openCluster();
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile('name: no-worker-yet\nsteps:\n  - { id: lonely, agent: shell, run: "echo ran" }\n');
  const coordinator = cluster.startRunPlan(plan, repo);
  const waiting = /step lonely is waiting for a worker that runs shell/;
  await waitFor(() => waiting.test(coordinator.stderrSoFar()), 'the waiting state to be recorded', 900_000);
  const runId = /run (\S+) \(no-worker-yet\) started/.exec(coordinator.stderrSoFar())?.[1];
  assert.ok(runId, coordinator.stderrSoFar());
  // Read from the committed log by another process: the state is durable, not a live notice.
  const status = await runCli(['status', runId], { cwd: repo });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /waiting for a worker that runs shell/);
  await cluster.startWorker('late-arrival');
  const result = await coordinator.result;
  succeededRun(result);
  assert.match(result.stderr, /step lonely no longer waits: a worker that runs it is live/);
  const after = await runCli(['status', runId], { cwd: repo });
  assert.doesNotMatch(after.stdout, /waiting for a worker/);
});

test('the only worker SIGKILLed with one step running and one queued: both steps wait for a worker again, and the run finishes on the next worker', {
  skip,
  timeout: 1_800_000,
}, async () => {
  const cluster = openCluster();
  const only = await cluster.startWorker('only', { args: ['--lock-duration', '3000'] });
  const markers = tempDir('ai-collab-markers-');
  const release = join(markers, 'release');
  const mark = (id: string) => `echo ran >> ${join(markers, id)}`;
  const plan = planFile(`name: worker-dies
concurrency: 2
steps:
  - { id: held, agent: shell, run: '${mark('held')}; while [ ! -f ${release} ]; do sleep 0.1; done' }
  - { id: queued, agent: shell, run: '${mark('queued')}' }
`);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const coordinator = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(join(markers, 'held')).length === 1, 'the held step to run', 240_000);
  // The worker runs one attempt at a time: `queued` sits in the queue behind `held`.
  const queue = `${cluster.prefix}:${queueNameOf('shell')}:wait`;
  await waitFor(async () => (await cluster.redis.llen(queue)) === 1, 'the second step to be queued', 120_000);
  assert.doesNotMatch(coordinator.stderrSoFar(), /is waiting for a worker/, 'a live worker offered shell');
  only.process.child.kill('SIGKILL');
  await only.process.result;
  for (const id of ['queued', 'held'])
    await waitFor(
      () => new RegExp(`step ${id} is waiting for a worker that runs shell`).test(coordinator.stderrSoFar()),
      `step ${id} to wait for a worker again`,
      120_000,
    );
  assert.deepEqual(markerLines(join(markers, 'queued')), [], 'nothing ran the queued step');
  writeFileSync(release, '');
  await cluster.startWorker('next', { args: ['--lock-duration', '3000'] });
  const result = await coordinator.result;
  succeededRun(result);
  for (const id of ['queued', 'held'])
    assert.match(result.stderr, new RegExp(`step ${id} no longer waits: a worker that runs it is live`));
  assert.equal(markerLines(join(markers, 'queued')).length, 1);
  // Only the attempt in flight at the kill runs again.
  assert.equal(markerLines(join(markers, 'held')).length, 2);
});
