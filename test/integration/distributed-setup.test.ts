import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SetupFinishedData } from '../../src/engine/events.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { clusterWith, planFile, redisMissing, reportedRun } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

// `workspace.setup` in distributed mode: the agent works in the worker's checkout, so setup runs there
// (with the attempt's port block), before the step, and the coordinator records what it did.
const skip = await redisMissing();

function setupEvents(repo: string, runId: string): SetupFinishedData[] {
  const store = new SqliteStore({ path: join(repo, '.ai-collab', 'state.db'), clock: systemClock });
  try {
    return [...store.readEvents(runId)]
      .filter((event) => event.type === 'step.setup-finished')
      .map((event) => event.data as SetupFinishedData);
  } finally {
    store.close();
  }
}

/** Every file named `name` under `directory` (the coordinator's state dir holds its worktrees). */
function filesNamed(directory: string, name: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter(
    (path) => path === name || path.endsWith(`/${name}`),
  );
}

test("setup runs in the worker's checkout before the step, with its port block; the coordinator records it and runs none", {
  skip,
  timeout: 240_000,
}, async () => {
  const { cluster } = await clusterWith(['builder']);
  const repo = gitRepo({ 'README.md': 'project\n', '.gitignore': '.setup-marker\n' });
  const plan = planFile(`name: set-up-on-the-worker
workspace:
  setup: 'echo "ready $AI_COLLAB_PORT_BASE" > .setup-marker'
steps:
  - { id: build, agent: shell, isolate: true, action: write, run: 'test -f .setup-marker && cp .setup-marker seen.txt && pwd > where.txt' }
`);
  const run = await cluster.runToSuccess(plan, repo);
  const branch = runBranchName(run.runId);
  const [event, ...more] = setupEvents(repo, run.runId);
  assert.equal(more.length, 0, 'setup ran once');
  assert.equal(event?.stepId, 'build');
  assert.equal(event?.ok, true);
  assert.deepEqual(event?.commands, ['echo "ready $AI_COLLAB_PORT_BASE" > .setup-marker']);
  assert.ok((event?.durationMs ?? -1) >= 0);
  // Setup ran where the step ran (the worker's checkout), with the attempt's port block.
  assert.equal(fileOnBranch(repo, branch, 'seen.txt'), `ready ${event?.portBase}\n`);
  assert.ok(fileOnBranch(repo, branch, 'where.txt')?.includes('ai-collab-worker-builder-'));
  assert.equal(fileOnBranch(repo, branch, '.setup-marker'), undefined, 'ignored setup output is not merged');
  assert.deepEqual(
    filesNamed(join(repo, '.ai-collab'), '.setup-marker'),
    [],
    'nothing set up on the coordinator',
  );
  assert.equal(existsSync(join(repo, '.setup-marker')), false);
});

test("a failing setup on the worker fails the step with the command's output, and the step never runs", {
  skip,
  timeout: 240_000,
}, async () => {
  const { cluster } = await clusterWith(['broken']);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: setup-fails-on-the-worker
workspace:
  setup: 'echo "registry unreachable" >&2; exit 4'
steps:
  - { id: build, agent: shell, isolate: true, action: write, retries: 0, run: 'echo ran > ran.txt' }
`);
  const result = await cluster.runPlan(plan, repo);
  assert.notEqual(result.code, 0);
  const run = reportedRun(result);
  assert.equal(run.status, 'failed');
  const events = setupEvents(repo, run.runId);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.ok, false);
  assert.equal(events[0]?.error?.code, 'SETUP_FAILED');
  assert.match(events[0]?.error?.message ?? '', /exited with code 4/);
  assert.match(events[0]?.error?.outputTail ?? '', /registry unreachable/);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'ran.txt'), undefined, 'the step never ran');
});
