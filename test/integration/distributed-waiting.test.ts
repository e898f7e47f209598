import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { runCli, waitFor } from '../support/cli.js';
import { openCluster, planFile, redisMissing } from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

const skip = await redisMissing();
const runJson = z.object({ runId: z.string(), status: z.string() });

test('while no live worker offers its agent a step shows "waiting for a worker that runs <agent>" (in the log, the terminal and status), until a worker arrives', {
  skip,
  timeout: 1_800_000,
}, async () => {
  const cluster = openCluster();
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile('name: no-worker-yet\nsteps:\n  - { id: lonely, agent: shell, run: "echo ran" }\n');
  const coordinator = cluster.startCoordinator(['run', plan, '--yes', '--no-review', '--json'], repo);
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
  assert.equal(result.code, 0, result.stderr);
  assert.equal(runJson.parse(JSON.parse(result.stdout)).status, 'succeeded');
  assert.match(result.stderr, /step lonely: a worker took it/);
  const after = await runCli(['status', runId], { cwd: repo });
  assert.doesNotMatch(after.stdout, /waiting for a worker/);
});
