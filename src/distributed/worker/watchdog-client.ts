/**
 * Starts the worker's process watchdog (process-watchdog.js) and tells it which process trees to stop if the
 * worker dies. The worker takes no job before its watchdog has said it is ready: a watchdog that hangs while
 * it loads protects nothing, so one silent for too long is killed and another started, and after a few the
 * worker does not start at all.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../support/clock.js';
import { OrchestratorError } from '../../support/errors.js';

export interface WatchedRoot {
  pid: number;
  pgid: number;
  startTime: string;
  bootId: string;
  cgroup?: string;
}

export interface Watchdog {
  /** The watchdog process (undefined only for a fake without one). */
  readonly pid: number | undefined;
  add(root: WatchedRoot): void;
  remove(root: { pid: number; startTime: string }): void;
  close(): void;
}

/** One started watchdog process, as `startWatchdog` uses it (a child process; a fake in tests). */
export interface WatchdogProcess {
  readonly pid?: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  kill(signal: NodeJS.Signals): boolean;
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  unref(): void;
}

export interface WatchdogStartOptions {
  clock: Clock;
  /** How long one watchdog has to say it is ready before it is killed and another started. */
  readyTimeoutMs?: number;
  /** How many watchdogs are started before the worker gives up. */
  attempts?: number;
  /** Starts one watchdog process; by default the real one. */
  spawn?: () => WatchdogProcess;
  /** Where a watchdog that failed and is replaced is said (a line each). */
  report?: (line: string) => void;
}

/** No watchdog said it was ready: the worker must not serve, since its agents would outlive it. */
export class WatchdogStartError extends OrchestratorError {
  override readonly name = 'WatchdogStartError';
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super(
      'INTERNAL',
      `the worker's process watchdog did not start (${reasons.length} tries: ${reasons.join('; ')}); ` +
        'a worker without it could leave agents running after it dies, so it does not serve',
      { kind: 'transient', details: { reasons } },
    );
    this.reasons = reasons;
  }
}

export const watchdogReadyTimeoutMs = 10_000;
export const watchdogAttempts = 3;

/**
 * Resolves once a watchdog is ready; rejects with WatchdogStartError when none became so. A watchdog that
 * dies later (killed by hand, by the OOM killer) is replaced the same way and told every tree still
 * watched, so the worker is never left unprotected while it serves.
 */
export async function startWatchdog(options: WatchdogStartOptions): Promise<Watchdog> {
  const roots = new Map<string, WatchedRoot>();
  const keyOf = (root: { pid: number; startTime: string }) => `${root.pid} ${root.startTime}`;
  let current = await launch(options);
  let closed = false;
  const replaceWhenLost = (child: WatchdogProcess): void => {
    child.once('close', (code, signal) => {
      if (closed) return;
      options.report?.(`worker: the process watchdog exited (${signal ?? `code ${code}`}); starting another`);
      launch(options).then(
        (next) => {
          if (closed) {
            next.stdin.end();
            return;
          }
          current = next;
          for (const root of roots.values()) send(next, { op: 'add', root });
          replaceWhenLost(next);
        },
        (error: unknown) =>
          options.report?.(`worker: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  };
  replaceWhenLost(current);
  return {
    get pid() {
      return current.pid;
    },
    add: (root) => {
      roots.set(keyOf(root), root);
      send(current, { op: 'add', root });
    },
    remove: (root) => {
      roots.delete(keyOf(root));
      send(current, { op: 'remove', pid: root.pid, startTime: root.startTime });
    },
    close: () => {
      closed = true;
      current.stdin.end();
    },
  };
}

/** Starts watchdogs until one says it is ready (then connected), or throws after `attempts`. */
async function launch(options: WatchdogStartOptions): Promise<WatchdogProcess> {
  const timeoutMs = options.readyTimeoutMs ?? watchdogReadyTimeoutMs;
  const attempts = options.attempts ?? watchdogAttempts;
  const reasons: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const child = (options.spawn ?? spawnWatchdog)();
    child.stdin.on('error', () => {});
    const failure = await readiness(child, options.clock, timeoutMs);
    if (failure === undefined) return connected(child);
    child.kill('SIGKILL');
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy();
    reasons.push(failure);
    if (attempt < attempts) options.report?.(`worker: the process watchdog ${failure}; starting another`);
  }
  throw new WatchdogStartError(reasons);
}

const watchdogFile = fileURLToPath(new URL('./process-watchdog.js', import.meta.url));

/**
 * Plain `node` on a plain JavaScript file, the same from src/ and from dist/: none of the worker's own
 * flags and an empty environment (no NODE_OPTIONS), so no loader (tsx) can hang it at start.
 */
function spawnWatchdog(): WatchdogProcess {
  return spawn(process.execPath, [watchdogFile, String(process.pid)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {},
    // Its own process group: a Ctrl-C or a group kill of the worker must not take the watchdog first.
    detached: true,
  });
}

/** Undefined once the watchdog said `ready`, else why it did not. */
function readiness(child: WatchdogProcess, clock: Clock, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let said = '';
    let complaint = '';
    let settled = false;
    const settle = (failure: string | undefined) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      child.stdout.off('data', onOutput);
      child.stderr.off('data', onComplaint);
      resolve(failure);
    };
    const onOutput = (chunk: Buffer | string) => {
      said += String(chunk);
      if (said.split('\n').slice(0, -1).includes('ready')) settle(undefined);
    };
    // What a watchdog that crashes while loading says (the start of it): the reason it is replaced.
    const onComplaint = (chunk: Buffer | string) => {
      if (complaint.length < 400) complaint += String(chunk);
    };
    const cancelTimer = clock.setTimer(timeoutMs, () =>
      settle(`did not say it was ready within ${timeoutMs} ms`),
    );
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onComplaint);
    child.once('error', (error) => settle(`could not be started: ${error.message}`));
    // 'close', not 'exit': by then all it wrote on stderr has been read.
    child.once('close', (code, signal) => {
      const detail = complaint.trim().split('\n')[0]?.slice(0, 200);
      settle(`exited (${signal ?? `code ${code}`}) before it was ready${detail ? `: ${detail}` : ''}`);
    });
  });
}

function connected(child: WatchdogProcess): WatchdogProcess {
  // Nothing more comes from it, and an open pipe would keep the worker's event loop alive.
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  return child;
}

function send(child: WatchdogProcess, message: object): void {
  if (child.stdin.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
}
