import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StepState } from '../../src/engine/run-state.js';
import { gitDiffSource } from '../../src/server/http/step-diff.js';
import { applyRun } from '../../src/workspace/apply-run.js';
import { discardRun } from '../../src/workspace/discard-run.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { startTestServer } from './server-harness.js';
import {
  agentStep,
  editingAgent,
  git,
  gitRepo,
  planOf,
  runPlan,
  workspaceEngine,
} from './workspace-support.js';

const runner = createGitRunner({ environment: process.env });
const diffOf = gitDiffSource(runner);

test('a merged step’s diff is its own change (start..result), after its branch is gone, after apply and after discard', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n' });
  const editor = editingAgent('editor', ({ stepId, workspace }) => {
    if (stepId === 'first') writeFileSync(join(workspace, 'first.txt'), 'one\n');
    else
      writeFileSync(
        join(workspace, 'README.md'),
        `${readFileSync(join(workspace, 'README.md'), 'utf8')}more\n`,
      );
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId, state } = await runPlan(
    setup,
    repo,
    planOf([agentStep('first', 'editor'), agentStep('second', 'editor', { needs: ['first'] })]),
  );
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps));
  const second = state.steps.second as StepState;
  assert.match(second.startCommit ?? '', /^[0-9a-f]{40}$/, 'step.succeeded records the start commit');
  assert.equal(
    git(repo, 'rev-parse', `${second.resultCommit}^1`).trim(),
    second.startCommit,
    'the result commit sits on the start',
  );
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*/steps/*').trim(), '', 'step branches are deleted');

  const expectOwnChange = async (when: string) => {
    const diff = await diffOf(state, second);
    assert.equal(diff.available, true, `${when}: ${diff.reason}`);
    assert.deepEqual(diff.files, ['README.md'], `${when}: only the step's own change, not its dependency's`);
    assert.match(diff.diff ?? '', /^\+more$/m);
    assert.doesNotMatch(diff.diff ?? '', /first\.txt/);
  };
  await expectOwnChange('after the run');
  const options = { workspace: repo, runId, worktreesDir: join(setup.stateDir, 'worktrees') };
  await applyRun(runner, options);
  await expectOwnChange('after apply');
  await discardRun(runner, options);
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '', 'discard removed every branch');
  await expectOwnChange('after discard');
  // What the dashboard asks: the server's own diff source, over the run's log.
  const served = await startTestServer({ store: setup.store, stateDir: setup.stateDir });
  try {
    const response = await fetch(`${served.server.url}/api/runs/${runId}/steps/second/diff`, {
      headers: { authorization: `Bearer ${served.server.token}`, origin: served.server.url },
    });
    const body = (await response.json()) as { available: boolean; files?: string[]; diff?: string };
    assert.equal(body.available, true, JSON.stringify(body));
    assert.deepEqual(body.files, ['README.md']);
    assert.match(body.diff ?? '', /^\+more$/m);
  } finally {
    await served.close();
    await setup.close();
  }
  // Logs written before step.succeeded carried the commits: the workspace and merge details still name them.
  const { startCommit: _start, resultCommit: _result, ...older } = second;
  await expectOwnChange('from an older log');
  assert.equal((await diffOf(state, older)).available, true);
});

test('a discarded run’s step diffs survive git gc: discard keeps a ref to each step’s result', async () => {
  const repo = gitRepo({ 'README.md': 'hello\n' });
  const editor = editingAgent('editor', ({ workspace }) => {
    writeFileSync(join(workspace, 'made.txt'), 'made\n');
  });
  const setup = workspaceEngine(repo, { agents: [editor] });
  const { runId, state } = await runPlan(setup, repo, planOf([agentStep('make', 'editor')]));
  await setup.close();
  await discardRun(runner, { workspace: repo, runId, worktreesDir: join(setup.stateDir, 'worktrees') });
  git(repo, 'reflog', 'expire', '--expire=now', '--all');
  git(repo, 'gc', '-q', '--prune=now');
  const diff = await diffOf(state, state.steps.make as StepState);
  assert.equal(diff.available, true, diff.reason);
  assert.deepEqual(diff.files, ['made.txt']);
});
