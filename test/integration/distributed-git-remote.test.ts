import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { tempDir } from '../support/temp-dir.js';
import { clusterWith, planFile, redisMissing } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

const skip = await redisMissing();

test('distributed.gitUrl names an existing remote (a bare repository on disk): the work travels through it instead of the endpoint', {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster } = await clusterWith(['via-remote']);
  const remote = join(tempDir('ai-collab-remote-'), 'team.git');
  execFileSync('git', ['init', '--bare', '--quiet', remote]);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: through-a-remote
steps:
  - { id: write, agent: shell, isolate: true, run: 'echo remote > remote.txt' }
  - { id: read, agent: shell, needs: [write], run: 'grep -q remote remote.txt' }
`);
  const run = await cluster.runToSuccess(plan, repo, { distributed: { gitUrl: remote } });
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
