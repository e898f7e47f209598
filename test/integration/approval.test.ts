import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { runCli, startCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

function workspaceWithPlan(): string {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), 'name: gated\nsteps:\n  - { id: work, run: "touch done" }\n');
  return workspace;
}

/** Polls `runs --json` until the run waits for approval (each poll is a real CLI call, not a sleep). */
async function waitingRunId(workspace: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: workspace })).stdout || '[]') as Array<{
      runId: string;
      status: string;
    }>;
    const waiting = runs.find((run) => run.status === 'awaiting_approval');
    if (waiting) return waiting.runId;
  }
  throw new Error('timed out waiting for the run to await approval');
}

test('a plan waits for approval with nothing run, and an approval from another shell releases it', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  const runId = await waitingRunId(workspace);
  assert.equal(existsSync(join(workspace, 'done')), false, 'nothing ran before approval');
  assert.match(cli.stderrSoFar(), /waits for approval/);
  const approved = await runCli(['approve', runId], { cwd: workspace });
  assert.equal(approved.code, 0, approved.stderr);
  const second = await runCli(['reject', runId], { cwd: workspace });
  assert.equal(second.code, 2, 'the run no longer waits, so a late decision is refused');
  const result = await cli.result;
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as RunReport).status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'done')), true);
});

test('a pending approval survives SIGKILL of the orchestrator; after approval, resume runs the plan', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml'], { cwd: workspace });
  const runId = await waitingRunId(workspace);
  cli.child.kill('SIGKILL');
  await cli.result;
  const status = JSON.parse(
    (await runCli(['status', runId, '--json'], { cwd: workspace })).stdout,
  ) as RunReport;
  assert.equal(status.status, 'awaiting_approval', 'the request outlives the process that made it');
  assert.equal((await runCli(['approve', runId], { cwd: workspace })).code, 0);
  const resumed = await runCli(['resume', runId, '--json'], { cwd: workspace });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as RunReport).status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'done')), true);
});

test('a rejected plan never runs and ends cancelled', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  const runId = await waitingRunId(workspace);
  assert.equal((await runCli(['reject', runId, '--reason', 'not now'], { cwd: workspace })).code, 0);
  const result = await cli.result;
  assert.equal(result.code, 1);
  assert.equal((JSON.parse(result.stdout) as RunReport).status, 'cancelled');
  assert.equal(existsSync(join(workspace, 'done')), false);
});
