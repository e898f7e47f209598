import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { clusterWith, markerLines, planFile, redisMissing, succeededRun } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

const skip = await redisMissing();

test('the coordinator SIGKILLed with an attempt in flight: resume takes the attempt over on its worker instead of running it again', {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster } = await clusterWith(['steady']);
  const markers = tempDir('ai-collab-markers-');
  const marker = join(markers, 'slow');
  const release = join(markers, 'release');
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: outlive-the-coordinator
steps:
  - id: slow
    agent: shell
    isolate: true
    run: 'echo "$(pwd)" >> ${marker}; while [ ! -f ${release} ]; do sleep 0.1; done; echo slow > slow.txt'
  - { id: after, agent: shell, isolate: true, needs: [slow], run: 'cat slow.txt > after.txt' }
`);
  const first = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(marker).length === 1, 'the slow step to start on the worker', 120_000);
  first.child.kill('SIGKILL');
  await first.result;
  // The worker finishes while no coordinator listens; its result waits in Redis and its push for the
  // coordinator's endpoint to come back.
  writeFileSync(release, '');
  const resumed = await cluster.coordinator(['resume', '--json'], repo);
  const run = succeededRun(resumed);
  assert.equal(markerLines(marker).length, 1, 'the in-flight attempt was taken, not repeated');
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'after.txt'), 'slow\n');
});

test("the coordinator SIGKILLed after it took a step's result, before its outcome was logged: resume takes the same result instead of running the agent again", {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster } = await clusterWith(['steady']);
  const markers = tempDir('ai-collab-markers-');
  const agentRuns = join(markers, 'agent-runs');
  const checks = join(markers, 'checks');
  const release = join(markers, 'release');
  const repo = gitRepo({ 'README.md': 'project\n' });
  // The check runs on the coordinator, in the step's worktree, after the worker's result was taken and
  // before the review and merge: while it waits, the result is taken and nothing of it is logged yet.
  const plan = planFile(`name: crash-after-take
steps:
  - id: build
    agent: shell
    isolate: true
    run: 'echo ran >> ${agentRuns}; echo built > built.txt'
    check: 'echo checking >> ${checks}; while [ ! -f ${release} ]; do sleep 0.1; done; test -f built.txt'
  - { id: after, agent: shell, isolate: true, needs: [build], run: 'cat built.txt > after.txt' }
`);
  const first = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(checks).length === 1, "the build step's check to start", 120_000);
  first.child.kill('SIGKILL');
  await first.result;
  writeFileSync(release, '');
  const resumed = await cluster.coordinator(['resume', '--json'], repo);
  const run = succeededRun(resumed);
  assert.equal(
    markerLines(agentRuns).length,
    1,
    'the taken result was used again, the agent did not run twice',
  );
  assert.equal(markerLines(checks).length, 2, 'the check the crash cut short ran again on the same result');
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'after.txt'), 'built\n');
  assert.deepEqual(
    await cluster.redis.keys(`${cluster.prefix}:attempt:*`),
    [],
    'every attempt record went once its outcome was logged',
  );
});
