/**
 * A long-lived agent child process speaking a line protocol on stdin/stdout: its own process group,
 * an allow-listed environment, stdout split into lines (capped), stderr kept as a tail for errors, and a
 * tree kill that reaches every descendant. Adapters build their protocols on top of this.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../../support/clock.js';
import { type Containment, startContained } from './cgroup.js';
import { killProcessTree, type TreeRoot } from './kill-tree.js';
import { LineSplitter } from './line-splitter.js';
import { readBootId, readProcEntry } from './proc-table.js';
import { treeRssBytes } from './tree-memory.js';

export interface AgentProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Environment entry every process of the tree inherits, so stray descendants can be found later. */
  tag: { name: string; value: string };
  clock: Clock;
  /** `pipe` for protocols driven over stdin; `ignore` for one-shot CLIs that must not wait for input. */
  stdin: 'pipe' | 'ignore';
  maxLineBytes?: number;
  /** What contains the tree (default: what this machine offers, see `processContainment`). */
  containment?: Containment;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const stderrTailBytes = 8_192;

export class AgentProcess {
  readonly root: TreeRoot;
  readonly startedAt: number;
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  readonly #clock: Clock;
  #lineListener: ((line: string, truncated: boolean) => void) | undefined;
  #stderrListener: ((text: string) => void) | undefined;
  #stderrTail = '';
  #exit: ProcessExit | undefined;

  private constructor(child: ChildProcess, root: TreeRoot, clock: Clock, maxLineBytes: number) {
    this.#child = child;
    this.root = root;
    this.#clock = clock;
    this.startedAt = clock.now();
    const splitter = new LineSplitter(maxLineBytes, (line, truncated) =>
      this.#lineListener?.(line, truncated),
    );
    child.stdout?.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stdout?.on('end', () => splitter.end());
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#stderrTail = (this.#stderrTail + text).slice(-stderrTailBytes);
      this.#stderrListener?.(text);
    });
    // EPIPE on a dead child's stdin is expected; the exit handler reports the real cause.
    child.stdin?.on('error', () => {});
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    const stderrClosed = new Promise<void>((resolve) => {
      if (!child.stderr) resolve();
      else child.stderr.once('close', () => resolve());
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.#exit = exit;
        // What a crashing process says last is often still in the pipe when 'exit' fires; give it a
        // moment (bounded: a grandchild may hold stderr open forever) so crash reports carry it.
        const drained = new AbortController();
        void Promise.race([stderrClosed, clock.sleep(300, drained.signal).catch(() => {})]).then(() => {
          drained.abort();
          resolve(exit);
        });
      }),
    );
  }

  /** Spawns the process; rejects with the reason when it cannot start (nothing is signalled then). */
  static async start(options: AgentProcessOptions): Promise<AgentProcess> {
    const { started: child, cgroup } = startContained(
      () =>
        spawn(options.command, options.args, {
          cwd: options.cwd,
          env: { ...options.env, [options.tag.name]: options.tag.value },
          detached: true,
          stdio: [options.stdin, 'pipe', 'pipe'],
        }),
      options.containment,
    );
    const started = await new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
      child.once('spawn', () => resolve({ ok: true }));
      child.once('error', (error: NodeJS.ErrnoException) =>
        resolve({
          ok: false,
          message: `${options.command}: ${error.code === 'ENOENT' ? 'not found (ENOENT)' : (error.code ?? error.message)}`,
        }),
      );
    });
    if (!started.ok || child.pid === undefined) {
      cgroup?.remove();
      throw new SpawnError(started.ok ? `${options.command}: no pid` : started.message);
    }
    const root: TreeRoot = {
      pid: child.pid,
      pgid: child.pid,
      startTime: readProcEntry(child.pid)?.startTime ?? '0',
      bootId: readBootId(),
      tag: `${options.tag.name}=${options.tag.value}`,
      ...(cgroup && { cgroup: cgroup.path }),
    };
    return new AgentProcess(child, root, options.clock, options.maxLineBytes ?? 32 * 1024 * 1024);
  }

  get pid(): number {
    return this.root.pid;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  get exitInfo(): ProcessExit | undefined {
    return this.#exit;
  }

  stderrTail(): string {
    return this.#stderrTail;
  }

  /** Routes stdout lines to one listener at a time (the step the process is serving). */
  onLine(listener: ((line: string, truncated: boolean) => void) | undefined): void {
    this.#lineListener = listener;
  }

  onStderr(listener: ((text: string) => void) | undefined): void {
    this.#stderrListener = listener;
  }

  /** Writes one protocol line; false when the process can no longer take input. */
  writeLine(line: string): boolean {
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed || !this.alive) return false;
    stdin.write(`${line}\n`);
    return true;
  }

  closeInput(): void {
    this.#child.stdin?.end();
  }

  treeRssBytes(): number {
    return this.alive ? treeRssBytes(this.root) : 0;
  }

  /** Stops the whole tree: SIGTERM, `graceMs`, SIGKILL. */
  async stop(graceMs: number): Promise<void> {
    await killProcessTree(this.root, { clock: this.#clock, graceMs });
    // Bounded: a process stuck in uninterruptible sleep must not hang the orchestrator.
    if (this.alive) {
      const timer = new AbortController();
      await Promise.race([this.exited, this.#clock.sleep(5_000, timer.signal).catch(() => {})]);
      timer.abort();
    }
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
  }
}

export class SpawnError extends Error {
  override readonly name = 'SpawnError';
}
