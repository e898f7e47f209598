import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StepState } from '../../src/engine/run-state.js';
import { applyRun } from '../../src/workspace/apply-run.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { isolationDetail } from '../../src/workspace/workspace-step-hooks.js';
import { tempDir } from '../support/temp-dir.js';
import {
  agentStep,
  checkoutSnapshot,
  editingAgent,
  fileOnBranch,
  git,
  gitRepo,
  planOf,
  runPlan,
  shellStep,
  workspaceEngine,
} from './workspace-support.js';

test('with a run branch, shell steps never write the checkout: they work in the integration worktree and what they write lands on the run branch', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n' });
  const before = checkoutSnapshot(repo);
  const editor = editingAgent('editor', ({ workspace }) => {
    writeFileSync(join(workspace, 'lib.txt'), 'library\n');
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      agentStep('code', 'editor'),
      shellStep('fast', 'echo x > fast.txt'),
      // `npm test` after the code: it sees the merged work of its dependency, and its output lands too.
      shellStep('check', 'test "$(cat lib.txt)" = library && echo ok > checked.txt', { needs: ['code'] }),
      // What git ignores is not committed, but stays for the steps after it (an install, a build).
      shellStep('install', 'mkdir -p .cache && echo c > .cache/x && echo .cache/ > .gitignore', {
        needs: ['fast'],
      }),
      shellStep('ignored', 'test "$(cat .cache/x)" = c', { needs: ['install', 'check'] }),
    ]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  assert.deepEqual(checkoutSnapshot(repo), before, 'the user checkout is never written');
  assert.equal(existsSync(join(repo, 'fast.txt')), false);
  for (const id of ['fast', 'check', 'install', 'ignored'])
    assert.equal(state.steps[id]?.workspaceDetail?.isolation, 'integration', id);

  const runBranch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, runBranch, 'fast.txt'), 'x\n');
  assert.equal(fileOnBranch(repo, runBranch, 'checked.txt'), 'ok\n');
  assert.equal(fileOnBranch(repo, runBranch, 'lib.txt'), 'library\n');
  assert.equal(fileOnBranch(repo, runBranch, '.gitignore'), '.cache/\n');
  assert.equal(fileOnBranch(repo, runBranch, '.cache/x'), undefined, 'what git ignores is not committed');
  const fast = state.steps.fast as StepState;
  assert.ok(fast.resultCommit, 'the step’s change is recorded as its commit');
  assert.equal(git(repo, 'show', '--format=', '--name-only', fast.resultCommit).trim(), 'fast.txt');
  assert.match(
    String(state.workspaceDetail?.message),
    /every other step works in the run's integration worktree/,
  );
  assert.equal(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1, 'all pruned');

  await applyRun(createGitRunner({ environment: process.env }), {
    workspace: repo,
    runId,
    worktreesDir: join(setup.stateDir, 'worktrees'),
  });
  assert.equal(readFileSync(join(repo, 'fast.txt'), 'utf8'), 'x\n', 'apply brings what the shell step wrote');
});

test('parallel steps share the integration worktree; a merge landing while one runs does not change its files, and both changes land', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n' });
  const signals = tempDir('ai-collab-signals-');
  const editor = editingAgent('editor', ({ workspace }) => {
    writeFileSync(join(workspace, 'lib.txt'), 'library\n');
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  // `slow` starts first, then waits until `code` has merged into the run branch: the merge must not
  // appear in the worktree under it. `quick` runs alongside it and writes its own file.
  const mergedCode = `git -C ${repo} log --format=%B --glob='refs/heads/ai-collab/*/run' | grep -q 'AI-Collab-Step: code'`;
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf(
      [
        shellStep(
          'slow',
          `touch ${signals}/slow; until ${mergedCode}; do sleep 0.02; done; test ! -e lib.txt && echo slow > slow.txt`,
        ),
        shellStep('quick', `until [ -e ${signals}/slow ]; do sleep 0.02; done; echo quick > quick.txt`),
        agentStep('code', 'editor', { needs: ['quick'] }),
        shellStep('after', 'cat lib.txt slow.txt quick.txt > all.txt', { needs: ['code', 'slow'] }),
      ],
      4,
    ),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  const runBranch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, runBranch, 'slow.txt'), 'slow\n');
  assert.equal(fileOnBranch(repo, runBranch, 'quick.txt'), 'quick\n');
  assert.equal(fileOnBranch(repo, runBranch, 'lib.txt'), 'library\n');
  assert.equal(fileOnBranch(repo, runBranch, 'all.txt'), 'library\nslow\nquick\n');
  assert.equal(
    state.steps.slow?.workspaceDetail?.startCommit,
    state.steps.quick?.workspaceDetail?.startCommit,
    'both shared one checkout',
  );
});

test('without a code-changing step, or outside git, steps run in place and the run says so', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n' });
  const setup = workspaceEngine(repo);
  const { state } = await runPlan(setup, repo, planOf([shellStep('only', 'echo here > here.txt')]));
  await setup.close();
  assert.equal(state.status, 'succeeded');
  assert.equal(readFileSync(join(repo, 'here.txt'), 'utf8'), 'here\n', 'in place, as before');
  assert.match(String(state.workspaceDetail?.message), /no step changes code: steps run in place/);
  assert.match(isolationDetail({ kind: 'off', reason: 'no git' }).message ?? '', /steps run in place/);
});
