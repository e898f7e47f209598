import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { processContainment } from '../../src/agents/process/cgroup.js';
import { identify } from '../../src/agents/process/proc-table.js';
import { fixturesDir, isAlive, readJsonFile, tsxLoader, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

// The worker's process watchdog for real: started from source as the tests run the CLI (through tsx), it
// must itself run without the loader, say it is ready, and stop the trees it was given when its parent dies.

const reportSchema = z.object({ watchdog: z.number(), pidFile: z.string(), contained: z.boolean() });
const treeSchema = z.record(z.string(), z.number());
const watchdogSource = join(fixturesDir, '..', '..', 'src', 'distributed', 'worker', 'process-watchdog.js');

async function startParent(mode: 'group' | 'cgroup' | 'removed') {
  const reportFile = join(tempDir('ai-collab-watchdog-'), 'report.json');
  const parent = spawn(
    process.execPath,
    ['--import', tsxLoader, join(fixturesDir, 'watchdog-parent.ts'), reportFile, mode],
    { stdio: 'ignore' },
  );
  const ended = new Promise((resolve) => parent.once('exit', resolve));
  await waitFor(
    () => readJsonFile(reportFile) !== undefined || parent.exitCode !== null,
    'the parent to start its watchdog and tree',
    60_000,
  );
  const report = reportSchema.parse(readJsonFile(reportFile));
  await waitFor(() => readJsonFile(report.pidFile) !== undefined, 'the process tree to start', 60_000);
  const tree = treeSchema.parse(readJsonFile(report.pidFile));
  return { parent, ended, report, tree };
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

for (const mode of ['group', 'cgroup'] as const) {
  test(`the parent SIGKILLed: its watchdog, started with no loader, stops the tree it was given (${mode})`, {
    skip: mode === 'cgroup' && processContainment().kind !== 'cgroup' && 'cgroups are not usable here',
    timeout: 120_000,
  }, async () => {
    const { parent, ended, report, tree } = await startParent(mode);
    assert.equal(report.contained, mode === 'cgroup');
    assert.deepEqual(
      commandLine(report.watchdog),
      [process.execPath, watchdogSource, String(parent.pid)],
      'plain node on the plain JavaScript file: no loader, no flag',
    );
    for (const [role, pid] of Object.entries(tree)) assert.ok(isAlive(pid), `${role} (${pid}) runs`);
    parent.kill('SIGKILL');
    await ended;
    // Every member of the fixture's tree runs forever: their ending is the watchdog's kill.
    for (const [role, pid] of Object.entries(tree))
      await waitFor(() => !isAlive(pid), `${role} (${pid}) to be stopped`, 60_000);
    await waitFor(() => !isAlive(report.watchdog), 'the watchdog to end', 60_000);
  });
}

test('a tree taken back from the watchdog outlives the parent', { timeout: 120_000 }, async () => {
  const { parent, ended, report, tree } = await startParent('removed');
  parent.kill('SIGKILL');
  await ended;
  await waitFor(() => !isAlive(report.watchdog), 'the watchdog to end', 60_000);
  try {
    for (const [role, pid] of Object.entries(tree)) assert.ok(isAlive(pid), `${role} (${pid}) still runs`);
  } finally {
    for (const pid of Object.values(tree)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});

test('its stdin held open by another process, the watchdog still notices its worker is gone', {
  timeout: 120_000,
}, async () => {
  const pidFile = join(tempDir('ai-collab-watchdog-'), 'tree.json');
  const treeRoot = spawn(process.execPath, [join(fixturesDir, 'process-tree.mjs'), pidFile], {
    stdio: 'ignore',
    detached: true,
  });
  await waitFor(() => readJsonFile(pidFile) !== undefined, 'the process tree to start', 60_000);
  const tree = treeSchema.parse(readJsonFile(pidFile));
  const identity = identify(treeRoot.pid ?? 0);
  assert.ok(identity);
  // Started for a worker (pid 1 stands for it) that is not its parent: as if it had been, and had died, while
  // a child of it kept the pipe (this test holds it open).
  const watchdog = spawn(process.execPath, [watchdogSource, '1'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const ended = new Promise((resolve) => watchdog.once('exit', resolve));
  watchdog.stdin.write(`${JSON.stringify({ op: 'add', root: { ...identity, pgid: identity.pid } })}\n`);
  await ended;
  for (const [role, pid] of Object.entries(tree))
    await waitFor(() => !isAlive(pid), `${role} (${pid}) to be stopped`, 60_000);
});
