/**
 * A resident launcher: one small Perl process (see launcher-program.ts) that starts a slot's step
 * processes one after another, so the orchestrator does not fork itself for each. It serves one step at a
 * time; the step's stdout and stderr are the launcher's, shared with the slot's later steps and cut
 * apart by a fence written once the step's cgroup is empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { FencedOutput, type OutputSink } from './fenced-output.js';
import { launcherProgram } from './launcher-program.js';
import { LineSplitter } from './line-splitter.js';

/** Perl's one fixed place on the Linux systems cgroup containment runs on (Debian's perl-base is essential). */
export const perlPath = '/usr/bin/perl';

export interface LaunchRequest {
  argv: readonly string[];
  /** Exec'd instead when `argv` cannot be (a simple command's `sh -c`, which then says why). */
  fallbackArgv?: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The step's empty cgroup: the child joins it before it execs, the launcher removes it after. */
  cgroupPath: string;
  stdout: OutputSink;
  stderr: OutputSink;
}

export type LaunchStart =
  | { kind: 'started'; pid: number; stat: string }
  | { kind: 'failed'; message: string }
  | { kind: 'lost'; reason: string };

export type LaunchEnd =
  | {
      kind: 'ended';
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      /** The step's cgroup was empty at its end, and the fence is already on its way. */
      clean: boolean;
    }
  | { kind: 'lost'; reason: string };

export interface Launch {
  started: Promise<LaunchStart>;
  ended: Promise<LaunchEnd>;
  /** Both outputs passed the step's fence (or the launcher is gone): all the step printed was passed on. */
  outputDone: Promise<void>;
  /** After an end that was not clean, once the step's leftovers are stopped: asks for the fence. */
  fence(): void;
}

interface Pending {
  request: LaunchRequest;
  started: (start: LaunchStart) => void;
  ended: (end: LaunchEnd) => void;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);
const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, number]) => [number, name]),
);

export class StepLauncher {
  readonly #child: ChildProcess;
  readonly #control: Socket | undefined;
  readonly #stdout = new FencedOutput();
  readonly #stderr = new FencedOutput();
  #pending: Pending | undefined;
  #lost: string | undefined;
  #outputSockets: string[] | undefined;
  #served = 0;

  constructor() {
    // An empty environment: nothing of the user's (PERL5OPT, PERL5LIB) changes what the launcher runs.
    // Its own session: Ctrl-C in the terminal reaches neither it nor the steps it starts.
    this.#child = spawn(perlPath, ['-e', launcherProgram], {
      env: {},
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const control = this.#child.stdio[3];
    this.#control = control instanceof Socket ? control : undefined;
    const lines = new LineSplitter(64 * 1024, (line) => this.#onControl(line));
    this.#control?.on('data', (chunk: Buffer) => lines.push(chunk));
    this.#follow(this.#child.stdout, this.#stdout);
    this.#follow(this.#child.stderr, this.#stderr);
    for (const stream of [this.#child.stdin, this.#child.stdout, this.#child.stderr, this.#control]) {
      stream?.on('error', () => {});
      if (stream instanceof Socket) stream.unref();
    }
    this.#child.unref();
    this.#child.once('error', (error) => this.#lose(`${perlPath}: ${error.message}`));
    this.#child.once('exit', (code, signal) =>
      this.#lose(`the step launcher exited (${signal ?? `code ${code}`})`),
    );
  }

  get alive(): boolean {
    return this.#lost === undefined;
  }

  /** How many steps it started: a launcher lost before its first could not run here at all. */
  get served(): number {
    return this.#served;
  }

  launch(request: LaunchRequest): Launch {
    const fence = Buffer.from(`@@ai-collab-fence-${randomBytes(12).toString('hex')}@@`);
    let resolveStarted: (start: LaunchStart) => void = () => {};
    let resolveEnded: (end: LaunchEnd) => void = () => {};
    const started = new Promise<LaunchStart>((resolve) => {
      resolveStarted = resolve;
    });
    const ended = new Promise<LaunchEnd>((resolve) => {
      resolveEnded = resolve;
    });
    const outputDone = Promise.all([
      new Promise<void>((resolve) => this.#stdout.expect(fence, request.stdout, resolve)),
      new Promise<void>((resolve) => this.#stderr.expect(fence, request.stderr, resolve)),
    ]).then(() => {});
    const fields = [
      'R',
      `${request.cgroupPath}/cgroup.procs`,
      request.cgroupPath,
      request.cwd,
      fence.toString(),
      ...counted(Object.entries(request.env).map(([name, value]) => `${name}=${value}`)),
      ...counted(request.argv),
      ...counted(request.fallbackArgv ?? []),
    ];
    const refused = this.#lost ?? nulRefusal(fields);
    if (refused !== undefined) {
      this.#stdout.abandon();
      this.#stderr.abandon();
      resolveStarted(this.#lost ? { kind: 'lost', reason: refused } : { kind: 'failed', message: refused });
      resolveEnded({ kind: 'lost', reason: refused });
      return { started, ended, outputDone, fence: () => {} };
    }
    this.#pending = { request, started: resolveStarted, ended: resolveEnded };
    this.#keepAlive(true);
    this.#send(fields);
    return { started, ended, outputDone, fence: () => this.#send(['F', fence.toString()]) };
  }

  /** Whether any of `pids` holds the slot's stdout or stderr open (a leftover that may still print). */
  async outputHeldBy(pids: readonly number[]): Promise<boolean> {
    const sockets = this.#outputSocketNames();
    const held = await Promise.all(
      pids.map(async (pid) => {
        const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
        const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
        return targets.some((target) => sockets.includes(target));
      }),
    );
    return held.includes(true);
  }

  /**
   * Between steps: the launcher no longer keeps the orchestrator's process alive. (From `launch` until
   * then, it does: a step's fence may be the only thing still awaited.)
   */
  rest(): void {
    this.#keepAlive(false);
  }

  close(): void {
    this.#keepAlive(false);
    this.#child.stdin?.end();
  }

  /** The process handle too: its exit must be heard even after its pipes have closed. */
  #keepAlive(busy: boolean): void {
    if (busy) {
      this.#control?.ref();
      this.#child.ref();
    } else {
      this.#control?.unref();
      this.#child.unref();
    }
  }

  #send(fields: readonly string[]): void {
    this.#child.stdin?.write(`${fields.join('\0')}\0`);
  }

  #follow(stream: Readable | null, output: FencedOutput): void {
    stream?.on('data', (chunk: Buffer) => {
      const busy = output.push(chunk);
      if (!busy) return;
      stream.pause();
      busy.whenDrained(() => stream.resume());
    });
  }

  #onControl(line: string): void {
    const pending = this.#pending;
    if (!pending) return;
    const [kind, first = '', second = ''] = line.split(' ');
    if (kind === 'S') {
      this.#served++;
      pending.started({ kind: 'started', pid: Number(first), stat: Buffer.from(second, 'hex').toString() });
    } else if (kind === 'X') {
      this.#pending = undefined;
      this.#stdout.abandon();
      this.#stderr.abandon();
      pending.started({ kind: 'failed', message: failureMessage(pending.request, Number(first), second) });
      pending.ended({ kind: 'lost', reason: 'not started' });
    } else if (kind === 'E') {
      this.#pending = undefined;
      pending.ended({ kind: 'ended', ...decodeWaitStatus(Number(first)), clean: second === 'clean' });
    }
  }

  #lose(reason: string): void {
    this.#lost ??= reason;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#stdout.abandon();
    this.#stderr.abandon();
    pending?.started({ kind: 'lost', reason });
    pending?.ended({ kind: 'lost', reason });
  }

  #outputSocketNames(): string[] {
    if (this.#outputSockets) return this.#outputSockets;
    const pid = this.#child.pid;
    const read = (fd: number): string => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return `unknown:${fd}`;
      }
    };
    this.#outputSockets = [read(1), read(2)];
    return this.#outputSockets;
  }
}

/**
 * A raw wait status as node reports a child's exit. A signal node has no name for (a real-time one) is
 * given as the shell would: exit code 128 + its number.
 */
function decodeWaitStatus(status: number): { exitCode: number | null; signal: NodeJS.Signals | null } {
  const number = status & 0x7f;
  if (number === 0) return { exitCode: (status >> 8) & 0xff, signal: null };
  const signal = signalNames.get(number);
  return signal ? { exitCode: null, signal } : { exitCode: 128 + number, signal: null };
}

function counted(values: readonly string[]): string[] {
  return [String(values.length), ...values];
}

/** A NUL byte cannot be passed to a process (nor framed in our requests); say where it is. */
function nulRefusal(fields: readonly string[]): string | undefined {
  const bad = fields.find((field) => field.includes('\0'));
  return bad === undefined
    ? undefined
    : `a command, directory or variable contains a NUL byte: ${JSON.stringify(bad.slice(0, 80))}`;
}

/** What could not be done before the command ran, as node's `spawn` would name it. */
function failureMessage(request: LaunchRequest, errno: number, what: string): string {
  const code = errnoNames.get(errno) ?? `errno ${errno}`;
  const command = request.argv[0] ?? '';
  switch (what) {
    case 'cwd':
      return `${command}: cannot enter ${request.cwd}: ${code}`;
    case 'cgroup':
      return `${command}: cannot join the step's cgroup ${request.cgroupPath}: ${code}`;
    case 'exec':
      return `${command}: ${code}`;
    default:
      return `${command}: cannot start (${what}): ${code}`;
  }
}
