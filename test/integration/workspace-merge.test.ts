import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTrailers, runBranchName, stepBranchName } from '../../src/workspace/ref-names.js';
import { workspaceStepHooks } from '../../src/workspace/workspace-step-hooks.js';
import { tempDir } from '../support/temp-dir.js';
import {
  agentStep,
  barrier,
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

/** Shell that waits until every step named has started: proof that they ran at the same time. */
function meet(directory: string, self: string, others: string[]): string {
  const waits = others.map((other) => `while [ ! -e ${directory}/${other} ]; do sleep 0.02; done`).join('; ');
  return `touch ${directory}/${self}; ${waits}`;
}

test('parallel steps editing different files both land; a dependent sees its dependency; the user checkout is untouched', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n', 'src/app.txt': 'v1\n' });
  // The user's own work in progress: an unstaged change, a staged file, an untracked file.
  writeFileSync(join(repo, 'README.md'), 'hello, edited but not committed\n');
  writeFileSync(join(repo, 'staged.txt'), 'staged\n');
  git(repo, 'add', 'staged.txt');
  writeFileSync(join(repo, 'notes.txt'), 'untracked\n');
  const before = checkoutSnapshot(repo);
  const rendezvous = tempDir('ai-collab-meet-');
  const setup = workspaceEngine(repo);
  const { runId, state, isolation, summary } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep('a', `${meet(rendezvous, 'a', ['b'])}; echo A > a.txt`, { isolate: true }),
      shellStep('b', `${meet(rendezvous, 'b', ['a'])}; echo B > b.txt; echo v2 > src/app.txt`, {
        isolate: true,
      }),
      shellStep('c', 'test "$(cat a.txt)" = A && echo C > c.txt', { isolate: true, needs: ['a'] }),
      shellStep(
        'check',
        'test -f a.txt && test -f b.txt && test -f c.txt && test ! -e staged.txt && grep -q v2 src/app.txt',
        {
          needs: ['b', 'c'],
        },
      ),
    ]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  assert.equal(isolation.kind, 'on');
  if (isolation.kind === 'on')
    assert.equal(isolation.uncommittedChanges, true, 'the user is told their changes are not included');
  const runBranch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, runBranch, 'a.txt'), 'A\n');
  assert.equal(fileOnBranch(repo, runBranch, 'b.txt'), 'B\n');
  assert.equal(fileOnBranch(repo, runBranch, 'c.txt'), 'C\n');
  assert.equal(fileOnBranch(repo, runBranch, 'src/app.txt'), 'v2\n');
  assert.equal(
    fileOnBranch(repo, runBranch, 'staged.txt'),
    undefined,
    'uncommitted work of the user is not taken',
  );
  assert.deepEqual(
    checkoutSnapshot(repo),
    before,
    'HEAD, index, status and every file of the user are as they were',
  );
  assert.doesNotMatch(git(repo, 'status', '--porcelain', '--untracked-files=all'), /\.ai-collab/);

  assert.equal(state.steps.a?.workspaceDetail?.isolation, 'worktree');
  assert.equal(
    state.steps.check?.workspaceDetail?.isolation,
    'integration',
    'a shell step after code changes sees the run branch',
  );
  const merge = state.steps.b?.stageDetail?.merge;
  assert.equal(merge?.filesChanged, '2');
  assert.match(merge?.diff ?? '', /^\+B$/m);
  assert.match(merge?.files ?? '', /^M src\/app\.txt \(\+1 -1\)$/m);

  // One merge commit per step, each naming run and step; history's first parents are the run branch.
  const merges = git(repo, 'log', '--first-parent', '--format=%B%x1e', runBranch)
    .split('\x1e')
    .map((message) => readTrailers(message.trim()))
    .filter((trailers) => trailers !== undefined);
  assert.deepEqual(merges.map((trailers) => trailers.stepId).sort(), ['a', 'b', 'c']);
  assert.equal(
    git(repo, 'rev-parse', `${runBranch}~${merges.length}`).trim(),
    before.head,
    'the run branch starts at HEAD',
  );

  assert.ok(summary && !summary.removed);
  assert.deepEqual(
    summary.steps.map((step) => `${step.stepId}:${step.outcome}:${step.files.length}`).sort(),
    ['a:merged:1', 'b:merged:2', 'c:merged:1'],
  );
  assert.equal(summary.files.length, 4);
  // Finished worktrees are pruned and merged step branches removed.
  assert.deepEqual(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), `${runBranch}`);
});

test('two steps changing the same line conflict; the engine adds a resolution step that sees both sides, and its result lands', async () => {
  const repo = gitRepo({ 'config.txt': 'name = demo\nport = 1\n' });
  const bothStarted = barrier(2);
  const resolutionPrompts: string[] = [];
  const editor = editingAgent('editor', async ({ stepId, workspace, prompt }) => {
    const path = join(workspace, 'config.txt');
    if (stepId.endsWith('.resolve')) {
      resolutionPrompts.push(prompt);
      assert.match(readFileSync(path, 'utf8'), /^\|{7} /m, 'the worktree holds the conflict with its base');
      writeFileSync(path, 'name = demo\nport = 2\nadmin_port = 3\n');
      return;
    }
    await bothStarted();
    const port = stepId === 'two' ? '2' : '3';
    writeFileSync(path, readFileSync(path, 'utf8').replace('port = 1', `port = ${port}`));
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      agentStep('two', 'editor', { target: 'config.txt' }),
      agentStep('three', 'editor', { target: 'config.txt' }),
      shellStep('after', 'cat config.txt > seen.txt', { needs: ['two', 'three'] }),
    ]),
  );
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps));
  const loserId = state.steps.two?.resolvedBy !== undefined ? 'two' : 'three';
  const resolutionId = `${loserId}.resolve`;
  assert.equal(
    state.steps[loserId]?.resolvedBy,
    resolutionId,
    'the conflicted step was resolved by the added step',
  );
  assert.equal(state.steps[loserId]?.status, 'succeeded');
  assert.equal(state.steps[resolutionId]?.agent, 'editor');
  assert.equal(state.steps[resolutionId]?.resolves, loserId);
  assert.equal(resolutionPrompts.length, 1);
  assert.match(resolutionPrompts[0] ?? '', /<<<<<<< /);
  assert.match(resolutionPrompts[0] ?? '', /port = 2/);
  assert.match(resolutionPrompts[0] ?? '', /port = 3/);
  const runBranch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, runBranch, 'config.txt'), 'name = demo\nport = 2\nadmin_port = 3\n');
  assert.equal(state.steps.after?.status, 'succeeded', 'the dependent ran once the conflict was resolved');
  assert.equal(
    git(repo, 'branch', '--list', stepBranchName(runId, loserId)).trim(),
    '',
    'the resolved step branch is merged and removed',
  );
  await setup.close();
});

test('a resolution that leaves conflict markers fails; the conflicted step and its dependents stay for a person', async () => {
  const repo = gitRepo({ 'config.txt': 'port = 1\n' });
  const bothStarted = barrier(2);
  const editor = editingAgent('editor', async ({ stepId, workspace }) => {
    if (stepId.endsWith('.resolve')) return;
    await bothStarted();
    writeFileSync(join(workspace, 'config.txt'), `port = ${stepId}\n`);
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      agentStep('x', 'editor'),
      agentStep('y', 'editor'),
      shellStep('after', 'true', { needs: ['x', 'y'] }),
    ]),
  );
  assert.equal(state.status, 'failed');
  const loserId = state.steps.x?.status === 'conflicted' ? 'x' : 'y';
  const resolution = state.steps[`${loserId}.resolve`];
  assert.equal(resolution?.status, 'failed');
  assert.match(resolution?.error?.message ?? '', /conflict markers are still in config\.txt/);
  assert.equal(state.steps[loserId]?.status, 'conflicted');
  assert.equal(state.steps.after?.status, 'blocked');
  const winner = loserId === 'x' ? 'y' : 'x';
  assert.equal(
    fileOnBranch(repo, runBranchName(runId), 'config.txt'),
    `port = ${winner}\n`,
    'only the winner landed',
  );
  await setup.close();
});

test('untracked files a step needs are brought in (.env copied, node_modules linked) and never committed', async () => {
  const repo = gitRepo({ 'package.json': '{}\n' });
  mkdirSync(join(repo, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(join(repo, '.env'), 'SECRET=1\n');
  writeFileSync(join(repo, '.env.local'), 'LOCAL=1\n');
  const setup = workspaceEngine(repo);
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep(
        'uses-env',
        'test "$(cat .env)" = SECRET=1 && test -f node_modules/pkg/index.js && test -L node_modules && echo SECRET=2 > .env && echo ok > out.txt',
        { isolate: true },
      ),
    ]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', state.steps['uses-env']?.error?.message);
  const branch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, branch, 'out.txt'), 'ok\n');
  assert.equal(fileOnBranch(repo, branch, '.env'), undefined);
  assert.equal(fileOnBranch(repo, branch, '.env.local'), undefined);
  assert.equal(fileOnBranch(repo, branch, 'node_modules/pkg/index.js'), undefined);
  assert.equal(
    git(repo, 'ls-tree', '-r', '--name-only', branch).trim().split('\n').sort().join(','),
    'out.txt,package.json',
  );
  assert.equal(
    readFileSync(join(repo, '.env'), 'utf8'),
    'SECRET=1\n',
    "the user's .env is a copy's origin, not changed",
  );
  assert.ok(
    existsSync(join(repo, 'node_modules', 'pkg', 'index.js')),
    'pruning unlinked node_modules, never followed it',
  );
  assert.match(state.steps['uses-env']?.workspaceDetail?.broughtIn ?? '', /node_modules/);
});

test('outside a git repository steps run in the workspace and isolation is reported off', async () => {
  const workspace = tempDir('ai-collab-plain-');
  const setup = workspaceEngine(workspace);
  const { state, isolation, summary } = await runPlan(
    setup,
    workspace,
    planOf([shellStep('write', 'echo here > out.txt', { isolate: true })]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded');
  assert.equal(isolation.kind, 'off');
  if (isolation.kind === 'off') assert.match(isolation.reason, /not in a git repository/);
  assert.equal(readFileSync(join(workspace, 'out.txt'), 'utf8'), 'here\n');
  assert.equal(state.steps.write?.workspaceDetail?.isolation, 'off');
  assert.equal(summary, undefined);
});

test('a plan of plain shell steps makes no branch at all', async () => {
  const repo = gitRepo();
  const setup = workspaceEngine(repo);
  const { state, isolation } = await runPlan(
    setup,
    repo,
    planOf([shellStep('build', 'echo built > build.log')]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded');
  assert.equal(isolation.kind, 'not-needed');
  assert.equal(readFileSync(join(repo, 'build.log'), 'utf8'), 'built\n', 'shell steps run in place');
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '');
  const worktrees = join(repo, '.ai-collab', 'worktrees');
  assert.ok(!existsSync(worktrees) || readdirSync(worktrees).length === 0);
});

test('a workspace in a subdirectory of the repository: steps work in the same subdirectory of their worktree', async () => {
  const repo = gitRepo({ 'packages/app/index.txt': 'app\n', 'README.md': 'root\n' });
  const workspace = join(repo, 'packages', 'app');
  const setup = workspaceEngine(repo);
  const created = setup.engine.createRun({
    plan: planOf([shellStep('here', 'test -f index.txt && echo new > new.txt', { isolate: true })]),
    workspace,
    planFile: null,
  });
  await setup.hooks.startRun({ runId: created.runId, workspace, plan: created.plan });
  const state = await setup.engine.startRun(created.runId).done;
  await setup.hooks.finishRun(state);
  await setup.close();
  assert.equal(state.status, 'succeeded', state.steps.here?.error?.message);
  assert.match(state.steps.here?.cwd ?? '', /steps\/here\/packages\/app$/);
  assert.equal(fileOnBranch(repo, runBranchName(created.runId), 'packages/app/new.txt'), 'new\n');
});

test('a retry starts from a clean worktree; a step that fails for good keeps its work on its branch', async () => {
  const repo = gitRepo();
  const setup = workspaceEngine(repo);
  const { runId, state, summary } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep(
        'flaky',
        'if [ "$AI_COLLAB_ATTEMPT" = 1 ]; then echo junk > junk.txt; exit 1; fi; echo good > good.txt',
        {
          isolate: true,
          retries: 1,
        },
      ),
      shellStep('broken', 'echo wip > wip.txt; exit 3', { isolate: true }),
    ]),
  );
  await setup.close();
  assert.equal(state.steps.flaky?.status, 'succeeded');
  assert.equal(state.steps.broken?.status, 'failed');
  const branch = runBranchName(runId);
  assert.equal(fileOnBranch(repo, branch, 'good.txt'), 'good\n');
  assert.equal(fileOnBranch(repo, branch, 'junk.txt'), undefined, 'nothing of the failed attempt');
  const kept = summary?.steps.find((step) => step.stepId === 'broken');
  assert.equal(kept?.outcome, 'kept');
  assert.equal(kept?.branch, stepBranchName(runId, 'broken'));
  assert.equal(
    fileOnBranch(repo, stepBranchName(runId, 'broken'), 'wip.txt'),
    'wip\n',
    'unfinished work is not lost',
  );
  assert.equal(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('a review stage before the merge sees the step’s diff; a rejection retries from a clean worktree', async () => {
  const repo = gitRepo({ 'src/app.txt': 'v1\n' });
  const seen: string[] = [];
  const setup = workspaceEngine(repo, {
    wrap: (hooks) =>
      workspaceStepHooks(hooks, [
        {
          name: 'review',
          appliesTo: () => true,
          run: async (context) => {
            const changes = await hooks.changesOf(context);
            seen.push(changes?.patch ?? '');
            return context.attempt === 1
              ? { kind: 'rejected', reason: 'not v3', feedback: 'use v3' }
              : { kind: 'passed', detail: { verdict: 'approved' } };
          },
        },
      ]),
  });
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([
      shellStep(
        'bump',
        'echo "v$((AI_COLLAB_ATTEMPT + 1))" > src/app.txt; [ "$AI_COLLAB_ATTEMPT" = 1 ] && echo x > stray.txt; true',
        {
          isolate: true,
          retries: 1,
        },
      ),
    ]),
  );
  await setup.close();
  assert.equal(state.status, 'succeeded', state.steps.bump?.error?.message);
  assert.equal(seen.length, 2);
  assert.match(seen[0] ?? '', /^-v1\n\+v2$/m);
  assert.match(seen[0] ?? '', /stray\.txt/);
  assert.match(seen[1] ?? '', /^-v1\n\+v3$/m);
  assert.doesNotMatch(seen[1] ?? '', /stray\.txt/, 'the second attempt starts clean');
  assert.equal(fileOnBranch(repo, runBranchName(runId), 'src/app.txt'), 'v3\n');
  assert.equal(fileOnBranch(repo, runBranchName(runId), 'stray.txt'), undefined);
});
