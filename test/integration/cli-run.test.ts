import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

function writePlan(directory: string, name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

test('independent steps really run in parallel: each waits for the other to have started', async () => {
  const workspace = tempDir();
  // A rendezvous: each step marks that it started, then waits for the other's mark. Run one after the
  // other, the first would wait forever and fail on its timeout.
  const meet = (self: string, other: string) =>
    `{ id: ${self}, timeout: 60s, run: "touch ${self}.started; until [ -e ${other}.started ]; do sleep 0.05; done" }`;
  writePlan(workspace, 'plan.yaml', `concurrency: 2\nsteps:\n  - ${meet('a', 'b')}\n  - ${meet('b', 'a')}\n`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as RunReport;
  const [a, b] = report.steps;
  assert.deepEqual([a?.status, b?.status], ['succeeded', 'succeeded']);
  // The recorded intervals overlap: each started before the other finished.
  assert.ok((a?.startedAt ?? 0) < (b?.finishedAt ?? 0) && (b?.startedAt ?? 0) < (a?.finishedAt ?? 0));
});

test('a step that fails twice then succeeds is recovered by its retries', async () => {
  const workspace = tempDir();
  writePlan(
    workspace,
    'plan.yaml',
    `steps:
  - id: flaky
    retries: 3
    backoff: { initial: 50ms, max: 200ms }
    run: touch "attempt-$AI_COLLAB_ATTEMPT"; [ "$AI_COLLAB_ATTEMPT" -ge 3 ]
`,
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.equal(report.steps[0]?.attempts, 3);
  assert.deepEqual(
    readdirSync(workspace)
      .filter((name) => name.startsWith('attempt-'))
      .sort(),
    ['attempt-1', 'attempt-2', 'attempt-3'],
  );
  assert.match(result.stderr, /attempt 1 failed: exit code 1; retrying in/);
});

test('a failed branch blocks only its dependents and the run exits 1', async () => {
  const workspace = tempDir();
  writePlan(
    workspace,
    'plan.yaml',
    `steps:
  - { id: ok, run: "touch ok" }
  - { id: broken, run: "echo 'database unreachable' >&2; exit 4" }
  - { id: after-broken, run: "touch never", needs: [broken] }
  - { id: after-ok, run: "touch after-ok", needs: [ok] }
`,
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.status, step.error]),
    [
      ['ok', 'succeeded', undefined],
      ['broken', 'failed', 'exit code 4: database unreachable'],
      ['after-broken', 'blocked', 'blocked by failed step broken'],
      ['after-ok', 'succeeded', undefined],
    ],
  );
  assert.equal(existsSync(join(workspace, 'never')), false);
  assert.equal(existsSync(join(workspace, 'after-ok')), true);
});

test('an invalid plan exits 2 naming every problem, and nothing is started or written', async () => {
  const workspace = tempDir();
  writePlan(
    workspace,
    'plan.yaml',
    'steps:\n  - { id: a, run: "touch ran" }\n  - { id: b, run: x, needs: [c] }\n  - { id: c, run: y, needs: [b], timeout: soon }\n',
  );
  const result = await runCli(['run', 'plan.yaml', '--yes'], { cwd: workspace });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /invalid plan plan\.yaml \(2 problems\)/);
  assert.match(result.stderr, /plan\.yaml:3:\d+ steps\[1\]\.needs: dependency cycle: b → c → b/);
  assert.match(result.stderr, /plan\.yaml:4:\d+ steps\[2\]\.timeout: "soon" is not a duration/);
  assert.match(result.stderr, /Nothing was run\./);
  assert.equal(existsSync(join(workspace, 'ran')), false);
  assert.equal(existsSync(join(workspace, '.ai-collab')), false, 'no state written');
});

test('bad flags and a missing plan file exit 2', async () => {
  const workspace = tempDir();
  const flag = await runCli(['run', 'plan.yaml', '--yes', '--concurrency', 'lots'], { cwd: workspace });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /expected a whole number/);
  const missing = await runCli(['run', 'nope.yaml', '--yes'], { cwd: workspace });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml: cannot read the plan file \(ENOENT\)/);
  const unknownRun = await runCli(['status', 'no-such-run'], { cwd: workspace });
  assert.equal(unknownRun.code, 2);
  assert.match(unknownRun.stderr, /no run no-such-run/);
});

test('runs and status read the store', async () => {
  const workspace = tempDir();
  writePlan(workspace, 'plan.yaml', 'name: listed\nsteps:\n  - { id: only, run: "true" }\n');
  const ran = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  const { runId } = JSON.parse(ran.stdout) as RunReport;
  const runs = await runCli(['runs', '--json'], { cwd: workspace });
  assert.equal(runs.code, 0);
  assert.deepEqual(
    (JSON.parse(runs.stdout) as Array<{ runId: string; status: string; name: string }>).map((run) => [
      run.runId,
      run.status,
      run.name,
    ]),
    [[runId, 'succeeded', 'listed']],
  );
  const status = await runCli(['status', runId, '--json'], { cwd: workspace });
  assert.deepEqual(JSON.parse(status.stdout), JSON.parse(ran.stdout));
  const text = await runCli(['status', runId], { cwd: workspace });
  assert.match(text.stdout, /only +shell +succeeded +1/);
});

test('plans naming agents that cannot run here are refused before anything starts', async () => {
  const workspace = tempDir();
  writePlan(
    workspace,
    'plan.json',
    JSON.stringify({
      steps: [{ id: 1, action: 'edit', target: 'a', description: 'd', assignedAgent: 'codex', inputs: [] }],
    }),
  );
  const result = await runCli(['run', 'plan.json', '--yes'], { cwd: workspace });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /agent "codex" cannot run: /);
  assert.equal(existsSync(join(workspace, '.ai-collab', 'state.db')), true);
});
