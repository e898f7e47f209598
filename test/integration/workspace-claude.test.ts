import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer } from '../support/model-server/index.js';
import { claudeAgent, createFileScript } from './claude-harness.js';
import {
  agentStep,
  checkoutSnapshot,
  fileOnBranch,
  git,
  gitRepo,
  planOf,
  runPlan,
  workspaceEngine,
} from './workspace-support.js';

// The real Claude Code CLI, one process per step worktree, against the scripted model server.
const skip = agentCliMissing('claude');

let server: ModelServer;
/** Working directories claude reported to the model: one per step, each a worktree. */
const directories = new Set<string>();

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: createFileScript((directory) => directories.add(directory)),
  });
});

after(async () => {
  await server?.close();
});

// Each step works in its own worktree, so each gets its own process: nothing to pre-warm.
test('three parallel claude steps each create a file in their own worktree; all three land on the run branch', {
  skip,
  timeout: 180_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const before = checkoutSnapshot(repo);
  const claude = claudeAgent(server.url, repo);
  const setup = workspaceEngine(repo, { agents: [claude] });
  const started = Date.now();
  const { runId, state, summary } = await runPlan(
    setup,
    repo,
    planOf(
      ['one', 'two', 'three'].map((name) =>
        agentStep(name, 'claude', { action: 'write', prompt: `CREATE-FILE ${name}.txt`, retries: 1 }),
      ),
      3,
    ),
  );
  const elapsed = Date.now() - started;
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  const branch = runBranchName(runId);
  for (const name of ['one', 'two', 'three']) {
    assert.equal(fileOnBranch(repo, branch, `${name}.txt`), `created by ${name}.txt\n`);
    assert.match(state.steps[name]?.cwd ?? '', /\.ai-collab\/worktrees\/.+\/steps\//);
  }
  assert.equal(directories.size, 3, `each step worked in its own worktree: ${[...directories].join(', ')}`);
  assert.deepEqual(summary?.steps.map((step) => step.stepId).sort(), ['one', 'three', 'two']);
  assert.deepEqual(checkoutSnapshot(repo), before, "claude never wrote into the user's checkout");
  assert.equal(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
  process.stderr.write(`# three claude steps in worktrees, merged: ${elapsed} ms\n`);
});
