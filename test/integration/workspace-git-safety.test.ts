import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyRun } from '../../src/workspace/apply-run.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { tempDir } from '../support/temp-dir.js';
import {
  fileOnBranch,
  git,
  gitRepo,
  planOf,
  runPlan,
  shellStep,
  workspaceEngine,
} from './workspace-support.js';

const hookNames = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'post-checkout',
  'post-merge',
  'pre-merge-commit',
  'reference-transaction',
  'post-rewrite',
  'post-index-change',
  'pre-auto-gc',
];

function installHooks(directory: string, marker: string): void {
  mkdirSync(directory, { recursive: true });
  for (const name of hookNames) {
    const path = join(directory, name);
    writeFileSync(path, `#!/bin/sh\necho "$(basename "$0")" >> ${marker}\n`);
    chmodSync(path, 0o755);
  }
}

test("the orchestrator's git calls never run the repository's hooks, nor hooks or a .git file an agent wrote", async () => {
  const repo = gitRepo({ 'file.txt': 'one\n' });
  const marker = join(tempDir('ai-collab-marker-'), 'ran');
  installHooks(join(repo, '.git', 'hooks'), marker);
  // A configured hooks directory and an fsmonitor program, as a user (or a tool) might have set up.
  installHooks(join(repo, '.githooks'), marker);
  writeFileSync(join(repo, 'fsmonitor.sh'), `#!/bin/sh\necho fsmonitor >> ${marker}\n`);
  chmodSync(join(repo, 'fsmonitor.sh'), 0o755);
  git(repo, 'config', 'core.hooksPath', join(repo, '.githooks'));
  git(repo, 'config', 'core.fsmonitor', join(repo, 'fsmonitor.sh'));
  const evil = gitRepo({ 'evil.txt': 'evil\n' });
  installHooks(join(evil, '.git', 'hooks'), marker);
  const setup = workspaceEngine(repo);
  const agentHook = `printf '#!/bin/sh\\necho agent-hook >> ${marker}\\n' > "$(git rev-parse --git-common-dir)/hooks/post-merge" && chmod +x "$(git rev-parse --git-common-dir)/hooks/post-merge"`;
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep('writes-hook', `${agentHook} && echo two > two.txt`, { isolate: true }),
      // The agent points its worktree's .git file at another repository, hooks and all.
      shellStep('redirects-git', `echo "gitdir: ${evil}/.git" > .git && echo three > three.txt`, {
        isolate: true,
      }),
      shellStep('after', 'echo four > four.txt', { isolate: true, needs: ['writes-hook', 'redirects-git'] }),
    ]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  const branch = runBranchName(runId);
  for (const name of ['two.txt', 'three.txt', 'four.txt']) assert.ok(fileOnBranch(repo, branch, name), name);
  assert.equal(
    git(evil, 'log', '--oneline').trim().split('\n').length,
    1,
    'the redirected repository was not touched',
  );
  // apply fast-forwards the user's branch: that would run post-merge and post-checkout hooks in plain git.
  await applyRun(createGitRunner({ environment: process.env }), {
    workspace: repo,
    runId,
    worktreesDir: join(setup.stateDir, 'worktrees'),
  });
  assert.equal(readFileSync(join(repo, 'four.txt'), 'utf8'), 'four\n');
  assert.equal(existsSync(marker) ? readFileSync(marker, 'utf8') : '', '', 'no hook ran');
  // The control: the same repository's hooks do run for plain git.
  git(repo, 'checkout', '-q', '-b', 'control');
  assert.match(readFileSync(marker, 'utf8'), /post-checkout/);
});

test('git configuration an agent writes (a filter that runs a program) stops the orchestrator before it runs', async () => {
  const repo = gitRepo({ 'file.txt': 'one\n' });
  const marker = join(tempDir('ai-collab-marker-'), 'ran');
  const setup = workspaceEngine(repo);
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep(
        'poison',
        `git config filter.evil.clean "sh -c 'echo filter >> ${marker}; cat'" && echo '* filter=evil' > .gitattributes && echo two > two.txt`,
        { isolate: true },
      ),
      shellStep('next', 'echo three > three.txt', { isolate: true, needs: ['poison'] }),
    ]),
  );
  await setup.close();
  assert.equal(state.steps.poison?.status, 'failed');
  assert.match(
    state.steps.poison?.error?.message ?? '',
    /git configuration that runs programs appeared during the run \(filter\.evil\.clean\)/,
  );
  assert.equal(state.steps.next?.status, 'blocked');
  assert.equal(existsSync(marker), false, 'the filter never ran');
  assert.equal(fileOnBranch(repo, runBranchName(runId), 'two.txt'), undefined);
  // The unfinished work is not lost, and not committed through the filter either: the worktree is kept.
  assert.equal(
    existsSync(join(state.steps.poison?.workspaceDetail?.worktree ?? '/nonexistent', 'two.txt')),
    true,
  );
});
