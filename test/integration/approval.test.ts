import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { type CliProcess, runCli, startCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

function workspaceWithPlan(): string {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), 'name: gated\nsteps:\n  - { id: work, run: "touch done" }\n');
  return workspace;
}

/** The run id, once the waiting process says (in its own words) that the run waits for approval. */
async function waitingRunId(cli: CliProcess): Promise<string> {
  let runId = '';
  await waitFor(
    () => {
      runId = /Run (\S+) waits for approval/.exec(cli.stderrSoFar())?.[1] ?? '';
      return runId !== '';
    },
    'the run to await approval',
    120_000,
  );
  return runId;
}

test('a plan waits for approval with nothing run, and an approval from another shell releases it', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  const runId = await waitingRunId(cli);
  assert.equal(existsSync(join(workspace, 'done')), false, 'nothing ran before approval');
  assert.match(cli.stderrSoFar(), new RegExp(`waits for approval.*ai-collab approve ${runId}`));
  const approved = await runCli(['approve', runId], { cwd: workspace });
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(
    approved.stderr,
    new RegExp(`process ${cli.child.pid}, which was waiting for it, runs it`),
    'the approver does not run it itself',
  );
  const second = await runCli(['reject', runId], { cwd: workspace });
  assert.equal(second.code, 1, 'the first decision stands; a late one is not counted');
  assert.match(second.stderr, /already decided/);
  const result = await cli.result;
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as RunReport).status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'done')), true);
});

async function statusOf(workspace: string, runId: string): Promise<RunReport> {
  return JSON.parse((await runCli(['status', runId, '--json'], { cwd: workspace })).stdout) as RunReport;
}

test('a pending approval survives SIGKILL of the orchestrator; approving it then runs it in the approving process', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml'], { cwd: workspace });
  const runId = await waitingRunId(cli);
  cli.child.kill('SIGKILL');
  await cli.result;
  const status = await statusOf(workspace, runId);
  assert.equal(status.status, 'awaiting_approval', 'the request outlives the process that made it');
  const approved = await runCli(['approve', runId, '--json'], { cwd: workspace });
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal((JSON.parse(approved.stdout) as RunReport).status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'done')), true);
  assert.equal((await statusOf(workspace, runId)).status, 'succeeded');
});

test('approve --detach records the approval and returns; status shows it at once and resume runs it', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml'], { cwd: workspace });
  const runId = await waitingRunId(cli);
  cli.child.kill('SIGKILL');
  await cli.result;
  const approved = await runCli(['approve', runId, '--detach'], { cwd: workspace });
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stderr, new RegExp(`ai-collab resume ${runId}`));
  assert.equal((await statusOf(workspace, runId)).status, 'pending', 'approved, not started');
  assert.equal(existsSync(join(workspace, 'done')), false);
  const resumed = await runCli(['resume', '--json'], { cwd: workspace });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as RunReport).status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'done')), true);
});

test('retry re-runs the failed steps of an ended run in the foreground, and the step keeps its history', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'name: flaky\nsteps:\n  - { id: check, run: "test -f ok", retries: 1, backoff: { initial: 1ms, max: 1ms } }\n  - { id: after, run: "touch after", needs: [check] }\n',
  );
  const failed = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(failed.code, 1, failed.stderr);
  const { runId } = JSON.parse(failed.stdout) as RunReport;
  const refused = await runCli(['resume', runId], { cwd: workspace });
  assert.equal(refused.code, 2);
  writeFileSync(join(workspace, 'ok'), '');
  const retried = await runCli(['retry', runId, '--json'], { cwd: workspace });
  assert.equal(retried.code, 0, retried.stderr);
  const report = JSON.parse(retried.stdout) as RunReport;
  assert.equal(report.status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'after')), true, 'the blocked step ran too');
  const check = report.steps.find((step) => step.id === 'check');
  assert.equal(check?.attempts, 3, 'two failed attempts, then the retried one');
  const status = await runCli(['status', runId], { cwd: workspace });
  assert.match(status.stdout + status.stderr, /check/);
  const unknown = await runCli(['retry', runId, 'nope'], { cwd: workspace });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no step nope/);
});

test('a rejected plan never runs and ends cancelled', async () => {
  const workspace = workspaceWithPlan();
  const cli = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  const runId = await waitingRunId(cli);
  assert.equal((await runCli(['reject', runId, '--reason', 'not now'], { cwd: workspace })).code, 0);
  const result = await cli.result;
  assert.equal(result.code, 1);
  assert.equal((JSON.parse(result.stdout) as RunReport).status, 'cancelled');
  assert.equal(existsSync(join(workspace, 'done')), false);
});
