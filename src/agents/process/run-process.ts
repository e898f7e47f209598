/**
 * Runs one supervised child process for a step: its own process group, an allow-listed environment,
 * output into a capped log, completion on `exit` (not `close`, which a grandchild holding the pipe can
 * delay forever), and on abort or afterwards the whole tree stopped.
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../../support/clock.js';
import type { ProcessStartRecord } from '../agent.js';
import { CappedLog } from './capped-log.js';
import { type Containment, createProcessCgroup } from './cgroup.js';
import { killProcessTree, type TreeRoot } from './kill-tree.js';
import { readBootId, readProcEntry } from './proc-table.js';

export type { ProcessStartRecord };

export interface RunProcessOptions {
  /** An executable known to exist (shell steps pass `/bin/sh`): a contained child execs it itself. */
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Environment entry (`NAME=value`) added to the child and used to find its descendants later. */
  tag: { name: string; value: string };
  logFile: string;
  maxLogBytes: number;
  clock: Clock;
  /** Time between SIGTERM and SIGKILL when the tree is stopped. */
  killGraceMs: number;
  /** How long to keep reading output after the process exited. */
  drainMs: number;
  signal: AbortSignal;
  onStarted(record: ProcessStartRecord): void;
  /** What contains the tree (default: what this machine offers, see `processContainment`). */
  containment?: Containment;
}

export type ProcessOutcome =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; tail: string }
  | { kind: 'aborted'; tail: string }
  | { kind: 'spawn-failed'; message: string };

export async function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  if (options.signal.aborted) return { kind: 'aborted', tail: '' };
  const log = new CappedLog(options.logFile, options.maxLogBytes);
  const cgroup = createProcessCgroup(options.containment);
  const command = cgroup
    ? cgroup.joiningCommand(options.command, options.args)
    : { command: options.command, args: [...options.args] };
  const child = spawn(command.command, command.args, {
    cwd: options.cwd,
    env: { ...options.env, [options.tag.name]: options.tag.value },
    // A new session and process group: Ctrl-C in the terminal does not reach it, and the whole group
    // can be signalled at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned = await new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
    child.once('spawn', () => resolve({ ok: true }));
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: `${options.command}: ${error.code ?? error.message}` }),
    );
  });
  if (!spawned.ok || child.pid === undefined) {
    await log.close();
    cgroup?.remove();
    // Never signal a child that did not start: its pid may be 0, and kill(0) hits our own group.
    return { kind: 'spawn-failed', message: spawned.ok ? `${options.command}: no pid` : spawned.message };
  }
  const pid = child.pid;
  const root: TreeRoot = {
    pid,
    pgid: pid,
    startTime: readProcEntry(pid)?.startTime ?? '0',
    bootId: readBootId(),
    tag: `${options.tag.name}=${options.tag.value}`,
    ...(cgroup && { cgroup: cgroup.path }),
  };
  options.onStarted({
    pid,
    pgid: pid,
    startTime: root.startTime,
    bootId: root.bootId,
    ...(root.cgroup !== undefined && { cgroup: root.cgroup }),
    logFile: options.logFile,
  });
  child.stdout?.on('error', () => {});
  child.stderr?.on('error', () => {});
  if (child.stdout) log.follow(child.stdout);
  if (child.stderr) log.follow(child.stderr);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const abortedNow = new Promise<'aborted'>((resolve) => {
    if (options.signal.aborted) resolve('aborted');
    options.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const first = await Promise.race([exited, abortedNow]);
  if (first === 'aborted')
    await killProcessTree(root, { clock: options.clock, graceMs: options.killGraceMs });
  const exit = await exited;
  options.signal.removeEventListener('abort', onAbort);
  await drainOutput(child.stdout, child.stderr, options.clock, options.drainMs);
  // Whatever the step left running (background jobs, daemons) ends with it.
  await killProcessTree(root, { clock: options.clock, graceMs: Math.min(options.killGraceMs, 2_000) });
  child.stdout?.destroy();
  child.stderr?.destroy();
  await log.close();
  // Also an abort that came while the spawn was still being confirmed, before the listener was added.
  if (aborted || options.signal.aborted) return { kind: 'aborted', tail: log.tail() };
  return { kind: 'exited', exitCode: exit.code, signal: exit.signal, tail: log.tail() };
}

async function drainOutput(
  stdout: NodeJS.ReadableStream | null,
  stderr: NodeJS.ReadableStream | null,
  clock: Clock,
  drainMs: number,
): Promise<void> {
  const ended = (stream: NodeJS.ReadableStream | null): Promise<void> =>
    new Promise((resolve) => {
      if (!stream || ('readableEnded' in stream && stream.readableEnded === true)) resolve();
      else {
        stream.once('end', () => resolve());
        stream.once('close', () => resolve());
      }
    });
  // A plain timer, not a sleep with an AbortController: aborting one builds a DOMException with its stack
  // trace, a cost every step paid on the event loop.
  let cancelTimer = (): void => {};
  const drainTimeUp = new Promise<void>((resolve) => {
    cancelTimer = clock.setTimer(drainMs, resolve);
  });
  await Promise.race([Promise.all([ended(stdout), ended(stderr)]), drainTimeUp]);
  cancelTimer();
}
