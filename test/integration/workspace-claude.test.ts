import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ClaudeAgent } from '../../src/agents/claude/claude-agent.js';
import type { ClaudeSpec } from '../../src/agents/claude/claude-spec.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { agentCliBinaries, agentCliMissing, claudeTestEnvironment } from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer, text, toolCall } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
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
    script: (request) => {
      if (request.pendingToolResults.length > 0) return text('Created the file. DONE');
      const name = /CREATE-FILE (\S+)/.exec(request.lastUserText)?.[1];
      if (!name) return text('nothing to do');
      const cwd = workingDirectory(request.messages.map((message) => message.text).join('\n'));
      if (!cwd) return text('no working directory in the system prompt');
      directories.add(cwd);
      return toolCall('Write', { file_path: join(cwd, name), content: `created by ${name}\n` });
    },
  });
});

after(async () => {
  await server?.close();
});

/** Claude Code names its working directory in the system prompt ("Primary working directory: /path"). */
function workingDirectory(prompt: string): string | undefined {
  return /(?:Primary working directory|Working directory): (\S+)/.exec(prompt)?.[1];
}

function claudeSpec(home: string): ClaudeSpec {
  return {
    name: 'claude',
    adapter: 'claude',
    command: agentCliBinaries.claude,
    args: [],
    model: 'claude-sonnet-4-5',
    env: claudeTestEnvironment(server.url, home),
    passEnv: [],
    // Each step works in its own worktree, so each gets its own process: nothing to pre-warm.
    pool: {
      size: 1,
      prewarm: 0,
      maxUses: 5,
      maxAgeMs: 600_000,
      maxMemoryBytes: 2 * 1024 ** 3,
      idleTimeoutMs: 60_000,
    },
    capabilities: ['execute'],
  };
}

test('three parallel claude steps each create a file in their own worktree; all three land on the run branch', {
  skip,
  timeout: 180_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const before = checkoutSnapshot(repo);
  const claude = new ClaudeAgent(claudeSpec(tempDir('ai-collab-claude-home-')), {
    clock: systemClock,
    logger: silentLogger,
    environment: process.env,
    maxLogBytes: 1_000_000,
    killGraceMs: 1_000,
    processes: { add() {}, remove() {}, list: () => [] },
    workspace: repo,
  });
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
