import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { runCli, startCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

test('a second process is refused (exit 2) while the first holds the run; once the first is SIGKILLed, resume takes it', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - id: wait
    run: 'touch started; while [ ! -f go ]; do sleep 0.05; done'
  - { id: after, run: 'touch after.done', needs: [wait] }
`,
  );
  const first = startCli(['run', 'plan.yaml', '--yes'], { cwd: workspace });
  await waitFor(() => existsSync(join(workspace, 'started')), 'the first process to start the step');
  const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: workspace })).stdout) as Array<{
    runId: string;
  }>;
  const runId = runs[0]?.runId ?? '';

  const refused = await runCli(['resume', runId], { cwd: workspace });
  assert.equal(refused.code, 2, refused.stderr);
  const pid = first.child.pid ?? 0;
  assert.match(
    refused.stderr,
    new RegExp(
      `run ${runId} is being executed by process ${pid} on ${hostname()}; its lease expires at \\S+ \\(in \\d+ s\\)`,
    ),
  );
  assert.match(refused.stderr, new RegExp(`ai-collab resume ${runId}`));
  assert.equal(existsSync(join(workspace, 'after.done')), false);

  first.child.kill('SIGKILL');
  await first.result;
  writeFileSync(join(workspace, 'go'), '');
  // The dead owner's lease has not expired, but its process is provably gone: no wait.
  const resumed = await runCli(['resume', runId, '--json'], { cwd: workspace });
  assert.equal(resumed.code, 0, resumed.stderr);
  const report = JSON.parse(resumed.stdout) as RunReport;
  assert.equal(report.status, 'succeeded');
  assert.equal(existsSync(join(workspace, 'after.done')), true);
});
