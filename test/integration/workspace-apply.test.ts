import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyRun } from '../../src/workspace/apply-run.js';
import { discardRun } from '../../src/workspace/discard-run.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { runBranchName, stepBranchName } from '../../src/workspace/ref-names.js';
import { isWorkspaceError } from '../../src/workspace/workspace-error.js';
import {
  agentStep,
  barrier,
  checkoutSnapshot,
  editingAgent,
  git,
  gitRepo,
  planOf,
  runPlan,
  shellStep,
  workspaceEngine,
} from './workspace-support.js';

const runner = createGitRunner({ environment: process.env });

async function runOne(repo: string, run: string) {
  const setup = workspaceEngine(repo);
  const result = await runPlan(setup, repo, planOf([shellStep('change', run, { isolate: true })]));
  await setup.close();
  assert.equal(result.state.status, 'succeeded', result.state.steps.change?.error?.message);
  return {
    runId: result.runId,
    options: { workspace: repo, runId: result.runId, worktreesDir: join(setup.stateDir, 'worktrees') },
  };
}

test('apply refuses only for uncommitted changes in the way, naming them, touching nothing; then fast-forwards around unrelated ones', async () => {
  const repo = gitRepo({ 'file.txt': 'one\n', 'other.txt': 'other\n' });
  const { runId, options } = await runOne(repo, 'echo added > added.txt; echo two > file.txt');
  writeFileSync(join(repo, 'file.txt'), 'my edit in progress\n');
  writeFileSync(join(repo, 'other.txt'), 'my unrelated edit\n');
  const before = checkoutSnapshot(repo);
  await assert.rejects(applyRun(runner, options), (error) => {
    assert.ok(isWorkspaceError(error, 'DIRTY_WORKING_TREE'));
    assert.match(error.message, /file\.txt/);
    assert.doesNotMatch(error.message, /other\.txt/, 'a change the run does not touch is not in the way');
    assert.match(error.message, /git stash/);
    return true;
  });
  assert.deepEqual(checkoutSnapshot(repo), before);

  git(repo, 'checkout', '--', 'file.txt');
  const applied = await applyRun(runner, options);
  assert.equal(applied.kind, 'fast-forward');
  assert.equal(applied.branch, 'main');
  assert.deepEqual(applied.files.map((file) => file.path).sort(), ['added.txt', 'file.txt']);
  assert.equal(git(repo, 'rev-parse', 'HEAD').trim(), git(repo, 'rev-parse', runBranchName(runId)).trim());
  assert.equal(readFileSync(join(repo, 'added.txt'), 'utf8'), 'added\n');
  assert.equal(
    readFileSync(join(repo, 'other.txt'), 'utf8'),
    'my unrelated edit\n',
    'the unrelated edit is kept',
  );
  assert.equal(git(repo, 'status', '--porcelain').trim(), 'M other.txt');
  assert.equal((await applyRun(runner, options)).kind, 'up-to-date');

  const discarded = await discardRun(runner, options);
  assert.equal(discarded.wasApplied, true);
  assert.deepEqual(discarded.removedBranches, [runBranchName(runId)]);
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '');
  assert.equal(
    readFileSync(join(repo, 'added.txt'), 'utf8'),
    'added\n',
    'discard never touches the checkout',
  );
});

test('apply merges when the user committed meanwhile, and aborts cleanly on a conflict', async () => {
  const repo = gitRepo({ 'file.txt': 'one\n', 'shared.txt': 'base\n' });
  const { options } = await runOne(repo, 'echo run > run.txt');
  writeFileSync(join(repo, 'mine.txt'), 'mine\n');
  git(repo, 'add', 'mine.txt');
  git(repo, 'commit', '-q', '-m', 'my own work');
  // Staged work, even in a file the run leaves alone, stops a merge commit: named, not git's raw error.
  writeFileSync(join(repo, 'file.txt'), 'staged edit\n');
  git(repo, 'add', 'file.txt');
  await assert.rejects(applyRun(runner, options), (error) => {
    assert.ok(isWorkspaceError(error, 'DIRTY_WORKING_TREE'));
    assert.match(error.message, /file\.txt \(staged changes stop a merge commit\)/);
    return true;
  });
  git(repo, 'reset', '-q', 'file.txt');
  const merged = await applyRun(runner, options);
  assert.equal(merged.kind, 'merged');
  assert.equal(
    git(repo, 'rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length,
    3,
    'a merge commit',
  );
  assert.ok(existsSync(join(repo, 'run.txt')) && existsSync(join(repo, 'mine.txt')));
  assert.equal(readFileSync(join(repo, 'file.txt'), 'utf8'), 'staged edit\n', 'unstaged, it is kept');
  git(repo, 'checkout', '--', 'file.txt');

  const clash = await runOne(repo, 'echo from-run > shared.txt');
  writeFileSync(join(repo, 'shared.txt'), 'from-user\n');
  git(repo, 'commit', '-q', '-am', 'my change to shared');
  const before = checkoutSnapshot(repo);
  await assert.rejects(applyRun(runner, clash.options), (error) => {
    assert.ok(isWorkspaceError(error, 'NOT_APPLICABLE'));
    assert.match(error.message, /conflict with your branch in shared\.txt; nothing was changed/);
    return true;
  });
  // The merge and its abort rewrite the index file; its entries (and everything else) are as they were.
  const { index: _after, ...after } = checkoutSnapshot(repo);
  const { index: _before, ...expected } = before;
  assert.deepEqual(after, expected);
  assert.equal(existsSync(join(repo, '.git', 'MERGE_HEAD')), false);
});

test('apply stops before overwriting an untracked file of the user, naming it and the fix', async () => {
  const repo = gitRepo({ 'file.txt': 'one\n' });
  const { options } = await runOne(repo, 'echo from-run > notes.txt');
  writeFileSync(join(repo, 'notes.txt'), 'my untracked notes\n');
  writeFileSync(join(repo, 'scratch.txt'), 'untracked, not in the way\n');
  const before = checkoutSnapshot(repo);
  await assert.rejects(applyRun(runner, options), (error) => {
    assert.ok(isWorkspaceError(error, 'DIRTY_WORKING_TREE'));
    assert.match(error.message, /untracked file.* notes\.txt/);
    assert.doesNotMatch(error.message, /scratch\.txt|would be overwritten/);
    assert.match(error.message, /move or remove/);
    return true;
  });
  assert.deepEqual(checkoutSnapshot(repo), before);
  assert.equal(readFileSync(join(repo, 'notes.txt'), 'utf8'), 'my untracked notes\n');
});

test('discard removes the run branch, kept step branches and worktree records; it refuses while one is checked out', async () => {
  const repo = gitRepo({ 'config.txt': 'port = 1\n' });
  const bothStarted = barrier(2);
  const editor = editingAgent('editor', async ({ stepId, workspace }) => {
    // The resolution step leaves the markers, so the conflicted work stays on its own branch.
    if (stepId.endsWith('.resolve')) return;
    await bothStarted();
    writeFileSync(join(workspace, 'config.txt'), `port = ${stepId}\n`);
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId } = await runPlan(setup, repo, planOf([agentStep('x', 'editor'), agentStep('y', 'editor')]));
  await setup.close();
  const options = { workspace: repo, runId, worktreesDir: join(setup.stateDir, 'worktrees') };
  const branches = git(repo, 'branch', '--list', 'ai-collab/*', '--format=%(refname:short)')
    .trim()
    .split('\n')
    .sort();
  assert.equal(
    branches.length,
    3,
    'the run branch, the conflicted step branch and the failed resolution’s branch',
  );
  assert.ok(
    branches.some((branch) => branch === stepBranchName(runId, 'x') || branch === stepBranchName(runId, 'y')),
  );

  git(repo, 'checkout', '-q', runBranchName(runId));
  await assert.rejects(discardRun(runner, options), (error) => isWorkspaceError(error, 'NOT_APPLICABLE'));
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim().split('\n').length, 3, 'nothing removed');
  git(repo, 'checkout', '-q', 'main');

  const before = checkoutSnapshot(repo);
  const discarded = await discardRun(runner, options);
  assert.deepEqual(discarded.removedBranches.sort(), branches);
  assert.equal(discarded.wasApplied, false);
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '');
  assert.equal(existsSync(join(setup.stateDir, 'worktrees', runId)), false);
  assert.deepEqual(checkoutSnapshot(repo), before);
  await assert.rejects(discardRun(runner, options), (error) => isWorkspaceError(error, 'NO_RUN_BRANCH'));
});
