import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { processContainment } from '../../src/agents/process/cgroup.js';
import { stepLauncherAvailability } from '../../src/agents/process/launcher-pool.js';
import { type ProcessOutcome, runProcess } from '../../src/agents/process/run-process.js';
import { systemClock } from '../../src/support/clock.js';
import { isAlive, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

// Steps started by the resident launcher (one small Perl process per slot instead of a fork of the
// orchestrator per step): real processes, real cgroups. Where there is no cgroup v2 or no Perl, steps
// are spawned (the fallback the other process tests cover) and these are skipped, which CI refuses.

const needsLauncher = {
  skip:
    stepLauncherAvailability().kind !== 'resident' &&
    `steps are spawned here (${JSON.stringify(stepLauncherAvailability())}; containment ${processContainment().kind})`,
};

let steps = 0;

function runStep(
  workspace: string,
  script: string,
  options: { drainMs?: number; signal?: AbortSignal } = {},
): Promise<ProcessOutcome> {
  return runProcess({
    command: '/bin/sh',
    args: ['-c', script],
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '' },
    tag: { name: 'AI_COLLAB_PROCESS_TAG', value: `launcher-test-${process.pid}/step/${++steps}` },
    logFile: join(workspace, `step-${steps}.log`),
    maxLogBytes: 100_000,
    clock: systemClock,
    killGraceMs: 500,
    drainMs: options.drainMs ?? 500,
    signal: options.signal ?? new AbortController().signal,
    onStarted: () => {},
  });
}

function exited(outcome: ProcessOutcome): { exitCode: number | null; signal: string | null; tail: string } {
  assert.equal(outcome.kind, 'exited', JSON.stringify(outcome));
  return outcome.kind === 'exited' ? outcome : { exitCode: null, signal: null, tail: '' };
}

test(
  'a step killed by a signal is told apart from one that exits with 128 + that signal',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    const killed = exited(await runStep(workspace, 'kill -TERM $$'));
    assert.deepEqual([killed.exitCode, killed.signal], [null, 'SIGTERM']);
    const code = exited(await runStep(workspace, 'exit 143'));
    assert.deepEqual([code.exitCode, code.signal], [143, null]);
  },
);

test(
  'steps one after another are started by one resident launcher, not by the orchestrator',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    const parents: string[] = [];
    for (let step = 0; step < 3; step++)
      parents.push(exited(await runStep(workspace, 'echo $PPID')).tail.trim());
    assert.equal(new Set(parents).size, 1, `parents: ${parents.join(', ')}`);
    assert.notEqual(parents[0], String(process.pid));
    assert.match(readFileSync(`/proc/${parents[0]}/cmdline`, 'utf8'), /^\/usr\/bin\/perl\0-e\0/);
  },
);

test(
  'a leftover that holds the output is read to its end, and the next step on the launcher gets only its own',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    const first = exited(
      await runStep(workspace, '(sleep 0.3; echo late) & echo early; echo $PPID >&2', { drainMs: 600_000 }),
    );
    // Sorted: the launcher's pid (digits) first.
    const [launcher, early, late] = first.tail.trim().split('\n').sort();
    assert.deepEqual([early, late], ['early', 'late'], first.tail);
    const second = exited(await runStep(workspace, 'echo second; echo $PPID >&2'));
    assert.equal(second.tail, `second\n${launcher}\n`, 'the same launcher, and nothing of the first step');
  },
);

test(
  'a leftover that does not hold the output is stopped as soon as its step ends',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    // With a drain of ten minutes, only the rule "nobody holds the output any more" can end this step.
    const outcome = exited(
      await runStep(workspace, 'sleep 300 >/dev/null 2>&1 & echo $! > bg.pid; echo done', {
        drainMs: 600_000,
      }),
    );
    assert.equal(outcome.tail, 'done\n');
    const background = Number(readFileSync(join(workspace, 'bg.pid'), 'utf8'));
    assert.equal(isAlive(background), false, 'the background process outlived its step');
  },
);

test(
  'a launcher killed while its step runs: the step’s tree is stopped, the step is reported lost, the next step runs',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    const running = runStep(
      workspace,
      'sleep 300 & echo $! > child.pid; echo $PPID > launcher.pid; echo started; wait',
    );
    await waitFor(
      () =>
        existsSync(join(workspace, 'launcher.pid')) &&
        readFileSync(join(workspace, 'launcher.pid'), 'utf8').endsWith('\n'),
      'the step to start its child',
    );
    const launcher = Number(readFileSync(join(workspace, 'launcher.pid'), 'utf8'));
    const child = Number(readFileSync(join(workspace, 'child.pid'), 'utf8'));
    process.kill(launcher, 'SIGKILL');
    const outcome = await running;
    assert.equal(outcome.kind, 'lost', JSON.stringify(outcome));
    assert.match(outcome.kind === 'lost' ? outcome.message : '', /step launcher exited \(SIGKILL\)/);
    await waitFor(() => !isAlive(child), 'the step’s child to be stopped');
    const next = exited(await runStep(workspace, 'echo $PPID'));
    assert.equal(next.exitCode, 0);
    assert.notEqual(next.tail.trim(), String(launcher));
  },
);

test(
  'a command that cannot be passed to a process (a NUL byte) fails to start, with the reason',
  needsLauncher,
  async () => {
    const outcome = await runStep(tempDir(), 'echo a\0b');
    assert.equal(outcome.kind, 'spawn-failed');
    assert.match(outcome.kind === 'spawn-failed' ? outcome.message : '', /NUL byte/);
  },
);

test(
  'a simple command runs exec’d without a shell, and says what a shell would when it cannot',
  needsLauncher,
  async () => {
    const workspace = tempDir();
    const plain = exited(await runStep(workspace, 'echo hello  world'));
    assert.deepEqual([plain.exitCode, plain.tail], [0, 'hello world\n']);
    const missing = exited(await runStep(workspace, 'no-such-command-here --flag'));
    assert.equal(missing.exitCode, 127);
    assert.match(missing.tail, /no-such-command-here: not found/);
    const builtin = exited(await runStep(workspace, 'exit 4'));
    assert.equal(builtin.exitCode, 4);
  },
);
