import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { isAlive, runCli, startCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/** Each execution leaves markers/<step>.<attempt>, so a test can count how often each step really ran. */
const marker = 'mkdir -p markers && touch "markers/$AI_COLLAB_STEP_ID.$AI_COLLAB_ATTEMPT"';

function executions(workspace: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const directory = join(workspace, 'markers');
  if (!existsSync(directory)) return counts;
  for (const name of readdirSync(directory)) {
    const step = name.slice(0, name.lastIndexOf('.'));
    counts[step] = (counts[step] ?? 0) + 1;
  }
  return counts;
}

test('SIGKILL of the orchestrator mid-run, then resume: completed steps never run again and the run finishes', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `concurrency: 4
steps:
  - { id: a, run: '${marker}' }
  - { id: b, run: '${marker}' }
  - { id: c, run: '${marker}', needs: [a] }
  - id: long
    run: '${marker}; if [ "$AI_COLLAB_ATTEMPT" = 1 ]; then echo $$ > long.pid; exec sleep 60; fi'
  - { id: after-long, run: '${marker}', needs: [long] }
  - { id: d, run: '${marker}', needs: [b, c] }
`,
  );
  const cli = startCli(['run', 'plan.yaml', '--yes'], { cwd: workspace });
  await waitFor(() => {
    const counts = executions(workspace);
    return (
      existsSync(join(workspace, 'long.pid')) &&
      counts.a === 1 &&
      counts.b === 1 &&
      counts.c === 1 &&
      counts.d === 1
    );
  }, 'the quick steps to finish while long runs');
  // Let the last quick step's success be committed (group commit) before the crash.
  await waitFor(() => /step d succeeded/.test(cli.stderrSoFar()), 'd to be recorded');
  const orphan = Number(readFileSync(join(workspace, 'long.pid'), 'utf8'));
  cli.child.kill('SIGKILL');
  await cli.result;
  assert.equal(isAlive(orphan), true, 'the running step outlives its orchestrator');

  const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: workspace })).stdout) as Array<{
    status: string;
  }>;
  assert.equal(runs[0]?.status, 'interrupted', 'a run whose orchestrator died shows as interrupted');

  const resumed = await runCli(['resume', '--json'], { cwd: workspace });
  assert.equal(resumed.code, 0, resumed.stderr);
  const report = JSON.parse(resumed.stdout) as RunReport;
  assert.equal(report.status, 'succeeded');
  assert.equal(isAlive(orphan), false, 'resume stopped the orphaned step process before re-running it');
  assert.deepEqual(executions(workspace), { a: 1, b: 1, c: 1, d: 1, long: 2, 'after-long': 1 });
  assert.equal(report.steps.find((step) => step.id === 'long')?.attempts, 2);
});

test('Ctrl-C lets running steps finish, leaves a resumable run (exit 130), and resume completes it', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - { id: first, run: 'touch first.started; sleep 1; ${marker}' }
  - { id: second, run: '${marker}', needs: [first] }
`,
  );
  const cli = startCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  await waitFor(() => existsSync(join(workspace, 'first.started')), 'first to start');
  cli.child.kill('SIGINT');
  const result = await cli.result;
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /Ctrl-C: no new steps start; running steps get \d+s to finish/);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.equal(report.status, 'interrupted');
  assert.deepEqual(
    report.steps.map((step) => step.status),
    ['succeeded', 'ready'],
  );
  assert.deepEqual(executions(workspace), { first: 1 });

  const resumed = await runCli(['resume', report.runId, '--json'], { cwd: workspace });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(executions(workspace), { first: 1, second: 1 });
});

test('a second Ctrl-C kills running steps at once; they are interrupted, not failed', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    "steps:\n  - { id: slow, run: 'echo $$ > slow.pid; exec sleep 60' }\n",
  );
  const cli = startCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  await waitFor(
    () =>
      existsSync(join(workspace, 'slow.pid')) &&
      readFileSync(join(workspace, 'slow.pid'), 'utf8').trim() !== '',
    'slow to start',
  );
  const pid = Number(readFileSync(join(workspace, 'slow.pid'), 'utf8'));
  cli.child.kill('SIGINT');
  await waitFor(() => /Ctrl-C/.test(cli.stderrSoFar()), 'the first Ctrl-C to be acknowledged');
  cli.child.kill('SIGINT');
  const result = await cli.result;
  assert.equal(result.code, 130);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.equal(report.steps[0]?.status, 'interrupted');
  assert.equal(isAlive(pid), false);
});
