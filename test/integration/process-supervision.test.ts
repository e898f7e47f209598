import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { containmentVariable, processContainment } from '../../src/agents/process/cgroup.js';
import { runProcess } from '../../src/agents/process/run-process.js';
import type { RunReport } from '../../src/cli/run-report.js';
import { systemClock } from '../../src/support/clock.js';
import { fixturesDir, isAlive, readJsonFile, runCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

interface TreePids {
  self: number;
  plain: number;
  grandchild: number;
  ownSession: number;
  stubborn: number;
}

test('a step timeout kills the whole tree: grandchildren, a child in its own session, and one that ignores SIGTERM', async () => {
  const workspace = tempDir();
  const pidFile = join(workspace, 'pids.json');
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'killGrace: 1s\n');
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:\n  - id: tree\n    run: node ${join(fixturesDir, 'process-tree.mjs')} ${pidFile}\n    timeout: 2s\n`,
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.equal(report.steps[0]?.status, 'failed');
  assert.match(report.steps[0]?.error ?? '', /timed out after 2000ms/);
  const pids = readJsonFile<TreePids>(pidFile);
  assert.ok(pids, 'the fixture wrote its pids');
  for (const [role, pid] of Object.entries(pids))
    assert.equal(isAlive(pid), false, `${role} (${pid}) survived`);
  // Every member of the fixture's tree runs forever, so the run ending at all, with every pid gone, is the
  // kill: nothing here could have ended on its own.
});

test('a step that exits while a background child holds its output ends at once, and the child is stopped', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:\n  - id: bg\n    run: "${process.execPath} late.mjs & echo $! > bg.pid; echo started"\n`,
  );
  // The background process holds the step's output and writes bg.done only if it lives for 60 s.
  writeFileSync(
    join(workspace, 'late.mjs'),
    "import { writeFileSync } from 'node:fs';\nsetTimeout(() => writeFileSync('bg.done', 'late'), 60_000);\n",
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(join(workspace, 'bg.done')), false, 'the run waited for the background process');
  const pid = Number(readFileSync(join(workspace, 'bg.pid'), 'utf8'));
  assert.equal(isAlive(pid), false, 'background process stopped with its step');
});

test('a flood of output is capped on disk and does not stall the step', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'maxLogBytes: 65536\n');
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'steps:\n  - id: flood\n    run: "head -c 50000000 /dev/zero | tr \'\\\\0\' x; echo done"\n',
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  const { runId } = JSON.parse(result.stdout) as RunReport;
  const logsDir = join(workspace, '.ai-collab', 'runs', runId, 'logs');
  const [log] = readdirSync(logsDir);
  const size = statSync(join(logsDir, log as string)).size;
  assert.ok(size < 65_536 + 200, `log is ${size} bytes`);
  assert.match(
    readFileSync(join(logsDir, log as string), 'utf8'),
    /output truncated: \d+ bytes over the 65536-byte cap/,
  );
  assert.equal((statSync(join(logsDir, log as string)).mode & 0o777).toString(8), '600');
});

test('a process that cannot start is reported and nothing is signalled', async () => {
  const workspace = tempDir();
  const outcome = await runProcess({
    command: '/bin/sh',
    args: ['-c', 'true'],
    cwd: join(workspace, 'missing-directory'),
    env: { PATH: process.env.PATH ?? '' },
    tag: { name: 'AI_COLLAB_PROCESS_TAG', value: 'test/spawn/1' },
    logFile: join(workspace, 'log'),
    maxLogBytes: 1_000,
    clock: systemClock,
    killGraceMs: 100,
    drainMs: 100,
    signal: new AbortController().signal,
    onStarted: () => assert.fail('no process started'),
  });
  assert.equal(outcome.kind, 'spawn-failed');
  assert.match(outcome.kind === 'spawn-failed' ? outcome.message : '', /ENOENT/);
});

test('steps get an allow-listed environment, not the orchestrator’s secrets', async () => {
  const workspace = tempDir();
  mkdirSync(join(workspace, 'out'));
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'steps:\n  - id: env\n    run: env > out/env.txt\n    env: { GREETING: hello }\n',
  );
  const result = await runCli(['run', 'plan.yaml', '--yes'], {
    cwd: workspace,
    env: { GITHUB_TOKEN: 'ghp_secret', ANTHROPIC_API_KEY: 'sk-ant-secret', LANG: 'C.UTF-8' },
  });
  assert.equal(result.code, 0, result.stderr);
  const environment = readFileSync(join(workspace, 'out', 'env.txt'), 'utf8');
  assert.doesNotMatch(environment, /ghp_secret|sk-ant-secret/);
  assert.match(environment, /^GREETING=hello$/m);
  assert.match(environment, /^LANG=C\.UTF-8$/m);
  assert.match(environment, /^AI_COLLAB_STEP_ID=env$/m);
});

/**
 * A script that leaves a process behind the way a daemonising tool does: a new session and a cleared
 * environment (so neither the process group nor the environment tag can find it). It waits until the
 * escaped process has written its pid, then runs `then`.
 */
function writeEscapeScript(workspace: string, then: string): { script: string; pidFile: string } {
  const script = join(workspace, 'escape.sh');
  const pidFile = join(workspace, 'escaped.pid');
  writeFileSync(
    script,
    [
      `env -i /bin/sh -c 'setsid /bin/sh -c "echo \\$\\$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; exec sleep 300" >/dev/null 2>&1 </dev/null &'`,
      `while [ ! -s ${pidFile} ]; do sleep 0.01; done`,
      then,
      '',
    ].join('\n'),
  );
  return { script, pidFile };
}

const escapedPid = (pidFile: string): number => Number(readFileSync(pidFile, 'utf8'));

/** Only a cgroup can hold such a process; without one (see `doctor`), the fallback test below applies. */
const needsCgroup = {
  skip: processContainment().kind !== 'cgroup' && 'cgroup v2 containment is not usable here',
};

test(
  'a process a step left in a new session with a cleared environment is stopped when the step ends',
  needsCgroup,
  async () => {
    const workspace = tempDir();
    const { script, pidFile } = writeEscapeScript(workspace, 'exit 0');
    writeFileSync(join(workspace, 'plan.yaml'), `steps:\n  - id: escape\n    run: sh ${script}\n`);
    const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
    assert.equal(result.code, 0, result.stderr);
    const pid = escapedPid(pidFile);
    assert.equal(isAlive(pid), false, `the escaped process ${pid} outlived its step`);
  },
);

test(
  'a process a step left in a new session with a cleared environment is stopped when the step times out',
  needsCgroup,
  async () => {
    const workspace = tempDir();
    const { script, pidFile } = writeEscapeScript(workspace, 'sleep 300');
    writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'killGrace: 1s\n');
    writeFileSync(
      join(workspace, 'plan.yaml'),
      `steps:\n  - id: escape\n    run: sh ${script}\n    timeout: 2s\n`,
    );
    const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /timed out after 2000ms/);
    const pid = escapedPid(pidFile);
    assert.equal(isAlive(pid), false, `the escaped process ${pid} outlived its step`);
  },
);

test(
  'a process a step left in a new session with a cleared environment is stopped when the step is cancelled',
  needsCgroup,
  async () => {
    const workspace = tempDir();
    const { script, pidFile } = writeEscapeScript(workspace, 'sleep 300');
    const cancel = new AbortController();
    const outcome = runProcess({
      command: '/bin/sh',
      args: [script],
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '' },
      tag: { name: 'AI_COLLAB_PROCESS_TAG', value: 'test/cancel/1' },
      logFile: join(workspace, 'log'),
      maxLogBytes: 10_000,
      clock: systemClock,
      killGraceMs: 500,
      drainMs: 100,
      signal: cancel.signal,
      onStarted: () => {},
    });
    await waitFor(() => readJsonFile<number>(pidFile) !== undefined, 'the escaped process to start');
    const pid = escapedPid(pidFile);
    assert.equal(isAlive(pid), true);
    cancel.abort();
    assert.equal((await outcome).kind, 'aborted');
    assert.equal(isAlive(pid), false, `the escaped process ${pid} outlived its step`);
  },
);

test('without cgroups (the fallback), a step’s tree is still stopped: its group, its descendants and its tagged processes', async () => {
  const workspace = tempDir();
  const pidFile = join(workspace, 'pids.json');
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'killGrace: 1s\n');
  writeFileSync(
    join(workspace, 'plan.yaml'),
    [
      'steps:',
      `  - id: tree\n    run: node ${join(fixturesDir, 'process-tree.mjs')} ${pidFile}\n    timeout: 2s`,
      '  - id: bg\n    run: "sleep 60 & echo $! > bg.pid; echo started"',
      '',
    ].join('\n'),
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], {
    cwd: workspace,
    env: { [containmentVariable]: 'process-group' },
  });
  assert.equal(result.code, 1, result.stderr);
  const pids = readJsonFile<TreePids>(pidFile);
  assert.ok(pids, 'the fixture wrote its pids');
  for (const [role, pid] of Object.entries(pids))
    assert.equal(isAlive(pid), false, `${role} (${pid}) survived`);
  const background = Number(readFileSync(join(workspace, 'bg.pid'), 'utf8'));
  assert.equal(isAlive(background), false, 'background process stopped with its step');
});
