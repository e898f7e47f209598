import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { runCli, startCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/** The command as `ai-collab ARGS | head -0` runs it: its reader is gone before it writes a byte. */
async function withReaderGone(args: string[], workspace: string, stream: 'stdout' | 'stderr') {
  const cli = startCli(args, { cwd: workspace });
  cli.child[stream]?.destroy();
  return cli.result;
}

test('commands whose reader goes away exit quietly instead of crashing on EPIPE', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), 'name: piped\nsteps:\n  - { id: only, run: "true" }\n');
  const ran = await withReaderGone(['run', 'plan.yaml', '--yes', '--json'], workspace, 'stdout');
  assert.equal(ran.code, 0, ran.stderr);
  assert.doesNotMatch(ran.stderr, /EPIPE|\n\s+at /);
  for (const args of [['runs'], ['runs', '--json'], ['--help']]) {
    const result = await withReaderGone(args, workspace, 'stdout');
    assert.deepEqual([result.code, result.signal, result.stderr], [0, null, ''], args.join(' '));
  }
  const runs = await runCli(['runs', '--json'], { cwd: workspace });
  const [run] = JSON.parse(runs.stdout) as Array<{ runId: string; status: string }>;
  assert.equal(run?.status, 'succeeded', 'the run whose JSON nobody read still completed and was recorded');
  const status = await withReaderGone(['status', run?.runId ?? ''], workspace, 'stdout');
  assert.deepEqual([status.code, status.stderr], [0, '']);
  const unknown = await withReaderGone(['status', 'no-such-run'], workspace, 'stderr');
  assert.deepEqual([unknown.code, unknown.signal], [2, null], 'a failing command keeps its exit code');
});

test('a run whose terminal goes away stops as on a hang-up and stays resumable', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'steps:\n  - { id: a, run: "true" }\n  - { id: b, run: "true", needs: [a] }\n',
  );
  const result = await withReaderGone(['run', 'plan.yaml', '--yes'], workspace, 'stderr');
  assert.equal(result.signal, null, 'ended by itself, not killed by a signal');
  assert.ok(result.code === 0 || result.code === 130, `exit code ${result.code}, not a crash`);
  const runs = await runCli(['runs', '--json'], { cwd: workspace });
  const [run] = JSON.parse(runs.stdout) as RunReport[];
  assert.ok(run && ['interrupted', 'succeeded'].includes(run.status), `run is ${run?.status}`);
});

test("an agent's escape sequences reach the terminal escaped, and --json keeps them exact", async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:\n  - { id: loud, run: "printf 'x\\\\033[31mred\\\\033]0;pwned\\\\007' >&2; exit 3" }\n`,
  );
  const ran = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(ran.code, 1);
  // NO_COLOR is set for the child: none of our own output carries an escape, so any ESC would be the agent's.
  assert.equal(ran.stderr.includes('\u001b'), false, ran.stderr);
  assert.match(
    ran.stderr,
    /step loud failed after 1 attempt\(s\): exit code 3: x\\x1b\[31mred\\x1b\]0;pwned\\x07/,
  );
  const report = JSON.parse(ran.stdout) as RunReport;
  assert.equal(report.steps[0]?.error, 'exit code 3: x\u001b[31mred\u001b]0;pwned\u0007', 'JSON is exact');
  assert.equal(ran.stdout.includes('\u001b'), false, 'JSON escapes the control characters itself');
  const status = await runCli(['status', report.runId], { cwd: workspace });
  assert.equal(status.stdout.includes('\u001b'), false, status.stdout);
  assert.match(status.stdout, /x\\x1b\[31mred/);
});
