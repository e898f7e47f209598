import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { tempDir } from '../support/temp-dir.js';
import { openCluster, planFile, redisMissing } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

const skip = await redisMissing();
const runJson = z.object({ runId: z.string(), status: z.string() });

test('distributed.gitUrl names an existing remote (a bare repository on disk): the work travels through it instead of the endpoint', {
  skip,
  timeout: 300_000,
}, async () => {
  const cluster = openCluster();
  await cluster.startWorker('via-remote');
  const remote = join(tempDir('ai-collab-remote-'), 'team.git');
  execFileSync('git', ['init', '--bare', '--quiet', remote]);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: through-a-remote
steps:
  - { id: write, agent: shell, isolate: true, run: 'echo remote > remote.txt' }
  - { id: read, agent: shell, needs: [write], run: 'grep -q remote remote.txt' }
`);
  const result = await cluster.coordinator(['run', plan, '--yes', '--no-review', '--json'], repo, {
    distributed: { gitUrl: remote },
  });
  assert.equal(result.code, 0, result.stderr);
  const run = runJson.parse(JSON.parse(result.stdout));
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'remote.txt'), 'remote\n');
  const refs = execFileSync(
    'git',
    ['--git-dir', remote, 'for-each-ref', '--format=%(refname)', `refs/ai-collab/${run.runId}`],
    {
      encoding: 'utf8',
    },
  );
  assert.match(refs, new RegExp(`refs/ai-collab/${run.runId}/starts/`), 'start commits were offered there');
  assert.match(refs, new RegExp(`refs/ai-collab/${run.runId}/attempts/`), 'the result was pushed there');
});
