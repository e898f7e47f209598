import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { waitFor } from '../support/cli.js';
import { refuseSuccessCommitOf } from '../support/refuse-commit.js';
import { tempDir } from '../support/temp-dir.js';
import { clusterWith, markerLines, planFile, redisMissing, succeededRun } from './distributed-support.js';
import { fileOnBranch, git, gitRepo } from './workspace-support.js';

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
  const { cluster, repo, agentRuns, checks, release, first } = await startWithHeldCheck(
    'crash-after-take',
    '; test -f built.txt',
  );
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

test("the coordinator dies after a step's merge landed, before its success was logged: resume takes the same result and does not merge it again", {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster, repo, agentRuns, release, first } = await startWithHeldCheck('die-after-merge');
  // The commit that would log the step's success fails (as if the process died right there): its merge,
  // made in git before, has landed; nothing of its outcome is in the log.
  const refuseSuccess = refuseSuccessCommitOf(
    join(repo, '.ai-collab', 'state.db'),
    'build',
    'refused for the test',
  );
  writeFileSync(release, '');
  const died = await first.result;
  assert.notEqual(died.code, 0, 'the coordinator stopped at the refused commit');
  const branch = git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/ai-collab/').trim();
  assert.equal(fileOnBranch(repo, branch, 'built.txt'), 'built\n', 'the merge had landed');
  refuseSuccess();
  const resumed = await cluster.coordinator(['resume', '--json'], repo);
  const run = succeededRun(resumed);
  assert.equal(branch, runBranchName(run.runId));
  assert.equal(markerLines(agentRuns).length, 1, 'the agent ran once');
  const merges = git(repo, 'log', '--first-parent', '--format=%s', branch)
    .split('\n')
    .filter((subject) => subject.startsWith('ai-collab: merge step build '));
  assert.equal(merges.length, 1, 'the landed merge was found, not made twice');
  assert.equal(fileOnBranch(repo, branch, 'after.txt'), 'built\n');
  assert.deepEqual(await cluster.redis.keys(`${cluster.prefix}:attempt:*`), []);
});

/**
 * Starts a run whose `build` step runs on the worker and whose check (on the coordinator, in the step's
 * worktree, after the worker's result was taken and before the review and merge) waits for `release`:
 * while it waits, the result is taken and nothing of its outcome is logged yet. `checkTail` ends the check.
 */
async function startWithHeldCheck(name: string, checkTail = '') {
  const { cluster } = await clusterWith(['steady']);
  const markers = tempDir('ai-collab-markers-');
  const agentRuns = join(markers, 'agent-runs');
  const checks = join(markers, 'checks');
  const release = join(markers, 'release');
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: ${name}
steps:
  - id: build
    agent: shell
    isolate: true
    run: 'echo ran >> ${agentRuns}; echo built > built.txt'
    check: 'echo checking >> ${checks}; while [ ! -f ${release} ]; do sleep 0.1; done${checkTail}'
  - { id: after, agent: shell, isolate: true, needs: [build], run: 'cat built.txt > after.txt' }
`);
  const first = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(checks).length === 1, "the build step's check to start", 120_000);
  return { cluster, repo, agentRuns, checks, release, first };
}
