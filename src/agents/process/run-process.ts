/**
 * Runs one supervised child process for a step: its own process group, an allow-listed environment,
 * output into a capped log, completion on `exit` (not `close`, which a grandchild holding the pipe can
 * delay forever), and on abort or afterwards the whole tree stopped.
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../../support/clock.js';
import type { ProcessStartRecord } from '../agent.js';
import { CappedLog } from './capped-log.js';
import {
  type Containment,
  createProcessCgroup,
  type ProcessCgroup,
  processContainment,
  shellScriptOf,
} from './cgroup.js';
import { killProcessTree, type TreeRoot } from './kill-tree.js';
import { acquireStepLauncher, markStepLaunchersBroken, releaseStepLauncher } from './launcher-pool.js';
import { parseStat, readBootId, readProcEntry } from './proc-table.js';
import { simpleCommandWords } from './simple-command.js';
import type { StepLauncher } from './step-launcher.js';

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
  | { kind: 'spawn-failed'; message: string }
  /** What started the process died while it ran: its tree was stopped and its end is unknown. */
  | { kind: 'lost'; message: string; tail: string };

/** Runs the process, on a resident launcher where there is one (see launcher-pool.ts), else spawned. */
export async function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  if (options.signal.aborted) return { kind: 'aborted', tail: '' };
  const log = new CappedLog(options.logFile, options.maxLogBytes);
  const containment = options.containment ?? processContainment();
  const cgroup = createProcessCgroup(containment);
  const launcher = cgroup && acquireStepLauncher(containment);
  if (cgroup && launcher) {
    const outcome = await runOnLauncher(launcher, cgroup, log, options);
    if (outcome !== 'not-started') return outcome;
    return runSpawned(options, log, createProcessCgroup(containment));
  }
  return runSpawned(options, log, cgroup);
}

async function runOnLauncher(
  launcher: StepLauncher,
  cgroup: ProcessCgroup,
  log: CappedLog,
  options: RunProcessOptions,
): Promise<ProcessOutcome | 'not-started'> {
  const argv = [options.command, ...options.args];
  const script = shellScriptOf(options.command, options.args);
  const words = script === undefined ? undefined : simpleCommandWords(script);
  const launch = launcher.launch({
    ...(words ? { argv: words, fallbackArgv: argv } : { argv }),
    cwd: options.cwd,
    env: { ...options.env, [options.tag.name]: options.tag.value },
    cgroupPath: cgroup.path,
    stdout: log,
    stderr: log,
  });
  const start = await launch.started;
  if (start.kind !== 'started') {
    // A launcher lost before the child exec'd may have forked it: its cgroup holds whatever there is.
    if (start.kind === 'lost') await stopTree(cgroupRoot(cgroup), options);
    else cgroup.remove();
    releaseStepLauncher(launcher, start.kind === 'failed');
    if (start.kind === 'failed') {
      await log.close();
      return { kind: 'spawn-failed', message: start.message };
    }
    if (launcher.served === 0) markStepLaunchersBroken(start.reason);
    return 'not-started';
  }
  const root = reportStart(options, start.pid, parseStat(start.stat)?.startTime ?? '0', cgroup.path);
  const aborted = await untilExitOrAbort(launch.ended, root, options);
  const end = await launch.ended;
  let reusable = end.kind === 'ended';
  if (end.kind === 'ended' && !end.clean) {
    await drainWhileHeld(launcher, cgroup, options);
    await stopTree(root, options);
    // A member that survived every SIGKILL (stuck in the kernel) could still print: never share its output.
    reusable = cgroup.remove() && launcher.alive;
    if (reusable) launch.fence();
    else launcher.close();
  }
  if (end.kind === 'lost') await stopTree(root, options);
  if (reusable) await launch.outputDone;
  releaseStepLauncher(launcher, reusable);
  await log.close();
  if (aborted) return { kind: 'aborted', tail: log.tail() };
  if (end.kind === 'lost') return { kind: 'lost', message: end.reason, tail: log.tail() };
  return { kind: 'exited', exitCode: end.exitCode, signal: end.signal, tail: log.tail() };
}

async function runSpawned(
  options: RunProcessOptions,
  log: CappedLog,
  cgroup: ProcessCgroup | undefined,
): Promise<ProcessOutcome> {
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
  const root = reportStart(options, child.pid, readProcEntry(child.pid)?.startTime ?? '0', cgroup?.path);
  child.stdout?.on('error', () => {});
  child.stderr?.on('error', () => {});
  if (child.stdout) log.follow(child.stdout);
  if (child.stderr) log.follow(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const aborted = await untilExitOrAbort(exited, root, options);
  const exit = await exited;
  await drainOutput(child.stdout, child.stderr, options.clock, options.drainMs);
  // Whatever the step left running (background jobs, daemons) ends with it.
  await stopTree(root, options);
  child.stdout?.destroy();
  child.stderr?.destroy();
  await log.close();
  if (aborted) return { kind: 'aborted', tail: log.tail() };
  return { kind: 'exited', exitCode: exit.code, signal: exit.signal, tail: log.tail() };
}

/** The started process's tree, told to the caller before anything else happens. */
function reportStart(
  options: RunProcessOptions,
  pid: number,
  startTime: string,
  cgroup: string | undefined,
): TreeRoot {
  const root: TreeRoot = {
    pid,
    pgid: pid,
    startTime,
    bootId: readBootId(),
    tag: `${options.tag.name}=${options.tag.value}`,
    ...(cgroup !== undefined && { cgroup }),
  };
  options.onStarted({
    pid,
    pgid: pid,
    startTime,
    bootId: root.bootId,
    ...(cgroup !== undefined && { cgroup }),
    logFile: options.logFile,
  });
  return root;
}

/**
 * Waits for the process to end; an abort on the way stops its tree first. Says whether it was aborted,
 * also by an abort that came while the start was still being confirmed, before the listener was added.
 */
async function untilExitOrAbort(
  exited: Promise<unknown>,
  root: TreeRoot,
  options: RunProcessOptions,
): Promise<boolean> {
  let removeListener = (): void => {};
  const abortedNow = new Promise<'aborted'>((resolve) => {
    const onAbort = (): void => resolve('aborted');
    if (options.signal.aborted) resolve('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    removeListener = () => options.signal.removeEventListener('abort', onAbort);
  });
  const first = await Promise.race([exited, abortedNow]);
  if (first === 'aborted')
    await killProcessTree(root, { clock: options.clock, graceMs: options.killGraceMs });
  await exited;
  removeListener();
  return first === 'aborted' || options.signal.aborted;
}

/** Whatever the step left running (background jobs, daemons) ends with it. */
function stopTree(root: TreeRoot, options: RunProcessOptions): Promise<unknown> {
  return killProcessTree(root, { clock: options.clock, graceMs: Math.min(options.killGraceMs, 2_000) });
}

/** The tree of a cgroup whose first process is not known (a launcher lost before it reported one). */
function cgroupRoot(cgroup: ProcessCgroup): TreeRoot {
  return { pid: 0, pgid: 0, startTime: '0', bootId: readBootId(), cgroup: cgroup.path };
}

/**
 * After a launched step ended with processes left in its cgroup: keeps taking their output while any of
 * them holds the slot's stdout or stderr, for at most `drainMs` (as a spawned step's pipes are drained).
 */
async function drainWhileHeld(
  launcher: StepLauncher,
  cgroup: ProcessCgroup,
  options: RunProcessOptions,
): Promise<void> {
  const deadline = options.clock.now() + options.drainMs;
  while (options.clock.now() < deadline && (await launcher.outputHeldBy(await cgroup.members()))) {
    await options.clock.sleep(Math.min(25, Math.max(1, deadline - options.clock.now())));
  }
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
