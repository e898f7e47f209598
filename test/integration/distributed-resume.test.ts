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
