import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { isAlive, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  checkoutSnapshot,
  editingAgent,
  fileOnBranch,
  git,
  gitRepo,
  planOf,
  runStepLikeTheEngine,
  shellStep,
  workspaceEngine,
} from './workspace-support.js';

const runnerEntry = new URL('./workspace-runner.ts', import.meta.url).pathname;
const tsxLoader = import.meta.resolve('tsx');

function startRunner(args: string[]) {
  const child = spawn(process.execPath, ['--import', tsxLoader, runnerEntry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const lines = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, lines, stderr: () => stderr };
}

test('SIGKILL of the orchestrator mid-step, then resume: the worktree is reset to its recorded start and the change lands once', async () => {
  const repo = gitRepo({ 'log.txt': 'start\n' });
  const meet = tempDir('ai-collab-meet-');
  const before = checkoutSnapshot(repo);
  const plan = planOf([
    shellStep(
      'append',
      `echo appended >> log.txt; echo "$AI_COLLAB_ATTEMPT" >> ${meet}/executions; if [ "$AI_COLLAB_ATTEMPT" = 1 ]; then echo $$ > ${meet}/pid; exec sleep 60; fi`,
      { isolate: true },
    ),
    shellStep('other', 'echo other > other.txt', { isolate: true }),
    shellStep('count', 'grep -c appended log.txt > count.txt', { isolate: true, needs: ['append'] }),
  ]);
  const planFile = join(meet, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const first = startRunner(['run', repo, planFile]);
  const runId = await waitForRunId(first);
  const branch = runBranchName(runId);
  await waitFor(
    () => existsSync(join(meet, 'pid')) && fileOnBranch(repo, branch, 'other.txt') !== undefined,
    'append to be mid-step and other to be merged',
  );
  // Give the group commit a moment to record `other` as succeeded before the crash.
  await waitFor(() => succeededSteps(repo, runId).includes('other'), 'other recorded as succeeded');
  const orphan = Number(readFileSync(join(meet, 'pid'), 'utf8'));
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(isAlive(orphan), true, 'the step outlived its orchestrator');

  const resumed = startRunner(['resume', repo, runId]);
  const code = await resumed.exited;
  assert.equal(code, 0, resumed.stderr());
  const end = resumed.lines().at(-1) as { status: string };
  assert.equal(end.status, 'succeeded', resumed.stderr());
  assert.equal(isAlive(orphan), false, 'resume stopped the orphaned step first');
  assert.deepEqual(readFileSync(join(meet, 'executions'), 'utf8').trim().split('\n'), ['1', '2']);
  assert.equal(fileOnBranch(repo, branch, 'log.txt'), 'start\nappended\n', 'the change is there once');
  assert.equal(fileOnBranch(repo, branch, 'count.txt'), '1\n');
  assert.equal(fileOnBranch(repo, branch, 'other.txt'), 'other\n');
  const starts = preparedStarts(repo, runId, 'append');
  assert.equal(starts.length, 2);
  assert.equal(starts[0], starts[1], 'the re-run started from the recorded start commit');
  assert.deepEqual(
    checkoutSnapshot(repo),
    before,
    "the user's checkout is untouched through crash and resume",
  );
  assert.equal(
    git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length,
    1,
    'worktrees pruned',
  );
});

test('a step whose merge landed just before a crash is not merged again when it re-runs', async () => {
  const repo = gitRepo({ 'log.txt': 'start\n' });
  const setup = workspaceEngine(repo);
  const plan = planOf([shellStep('append', 'echo appended >> log.txt', { isolate: true })]);
  const created = setup.engine.createRun({ plan, workspace: repo, planFile: null });
  await setup.hooks.startRun({ runId: created.runId, workspace: repo, plan });
  const state = await setup.engine.startRun(created.runId).done;
  assert.equal(state.status, 'succeeded');
  const branch = runBranchName(created.runId);
  const tip = git(repo, 'rev-parse', branch).trim();
  // As if `step.succeeded` had not been committed when the orchestrator died: the step runs again from its
  // recorded start (the previous attempt's detail is in the state), and this time writes something else.
  const step = plan.steps[0];
  assert.ok(step);
  const agent = editingAgent('shell', ({ workspace }) => {
    writeFileSync(
      join(workspace, 'log.txt'),
      `${readFileSync(join(workspace, 'log.txt'), 'utf8')}different\n`,
    );
  });
  const { prepared, result } = await runStepLikeTheEngine(setup.hooks, agent, state, step, 2);
  await setup.close();
  assert.equal(prepared.detail?.startCommit, state.steps.append?.workspaceDetail?.startCommit);
  assert.equal(result.kind, 'passed');
  if (result.kind === 'passed') assert.equal(result.detail?.alreadyMerged, 'true');
  assert.equal(git(repo, 'rev-parse', branch).trim(), tip, 'nothing merged twice');
  assert.equal(fileOnBranch(repo, branch, 'log.txt'), 'start\nappended\n');
});

async function waitForRunId(runner: ReturnType<typeof startRunner>): Promise<string> {
  await waitFor(() => runner.lines().some((line) => typeof line.runId === 'string'), 'the run to be created');
  return runner.lines().find((line) => typeof line.runId === 'string')?.runId as string;
}

function readEvents(repo: string, runId: string, type: string): Array<Record<string, unknown>> {
  const db = new Database(join(repo, '.ai-collab', 'state.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT data FROM events WHERE run_id = ? AND type = ? ORDER BY seq')
      .all(runId, type) as Array<{
      data: string;
    }>;
    return rows.map((row) => JSON.parse(row.data) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

function succeededSteps(repo: string, runId: string): string[] {
  return readEvents(repo, runId, 'step.succeeded').map((data) => String(data.stepId));
}

function preparedStarts(repo: string, runId: string, stepId: string): string[] {
  return readEvents(repo, runId, 'step.workspace-prepared')
    .filter((data) => data.stepId === stepId)
    .map((data) => String((data.detail as Record<string, string>).startCommit));
}
