/**
 * One warm ACP agent process: spawned in its own process group, initialized once, then serving sessions
 * (one per step) until the pool recycles it. Its stderr, and notices an add-on reads out of band (Gemini
 * CLI's retry log), go to the sessions attached to it.
 */
import type { Clock } from '../../support/clock.js';
import type { AgentStreamPart, StepFailure } from '../agent.js';
import { ProcessWorker } from '../pool/process-worker.js';
import { AgentProcess, type ProcessExit, SpawnError } from '../process/agent-process.js';
import { AcpConnection, type AcpConnectionOptions, AcpProtocolError } from './acp-connection.js';
import { failureOfRpcError, rpcErrorOf } from './classify-acp-outcome.js';

/** Something the agent said outside the protocol, e.g. "Attempt 1 failed with status 500. Retrying…". */
export interface AcpSideNotice {
  kind: 'retry';
  /** The attempt that failed (1 = the first call). */
  attempt: number;
  status?: number;
  message: string;
  /** How long the agent said it waits before the next attempt. */
  delayMs?: number;
}

/** Per-process extra an adapter adds (an environment entry and a watcher of some side channel). */
export interface AcpProcessAddOn {
  readonly environment: Record<string, string>;
  start(report: (notice: AcpSideNotice) => void): void;
  stop(): void;
}

/** A session attached to the worker, to hear its stderr and side notices. */
export interface WorkerListener {
  stderr(text: string): void;
  notice(notice: AcpSideNotice): void;
  /** True while the session's prompt runs: side notices are only attributed to a running prompt. */
  prompting(): boolean;
}

export interface AcpWorkerOptions {
  /** Name used in messages (the agent's name). */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  tag: { name: string; value: string };
  clock: Clock;
  connection: AcpConnectionOptions;
  addOn?: AcpProcessAddOn;
  initializeTimeoutMs: number;
  killGraceMs: number;
}

export class AcpWorker extends ProcessWorker {
  readonly connection: AcpConnection;
  readonly #listeners = new Set<WorkerListener>();
  readonly #addOn: AcpProcessAddOn | undefined;
  #stopping = false;

  private constructor(process: AgentProcess, connection: AcpConnection, addOn: AcpProcessAddOn | undefined) {
    super(process);
    this.connection = connection;
    this.#addOn = addOn;
  }

  /** Spawns and initializes; rejects with an `AcpStartError` carrying the classified reason. */
  static async start(options: AcpWorkerOptions): Promise<AcpWorker> {
    let process: AgentProcess;
    try {
      process = await AgentProcess.start({
        command: options.command,
        args: options.args,
        cwd: options.cwd,
        env: { ...options.env, ...options.addOn?.environment },
        tag: options.tag,
        clock: options.clock,
        stdin: 'pipe',
      });
    } catch (error) {
      options.addOn?.stop();
      const message = error instanceof SpawnError ? error.message : String(error);
      throw new AcpStartError({ code: 'SPAWN_FAILED', kind: 'permanent', message });
    }
    const connection = new AcpConnection(
      { writeLine: (line) => process.writeLine(line) },
      options.connection,
    );
    const worker = new AcpWorker(process, connection, options.addOn);
    process.onLine((line) => connection.push(line));
    process.onStderr((text) => {
      for (const listener of worker.#listeners) listener.stderr(text);
    });
    void process.exited.then(() => {
      connection.end();
      worker.#addOn?.stop();
    });
    options.addOn?.start((notice) => worker.#notice(notice));
    try {
      await worker.#initialize(options);
    } catch (error) {
      await process.stop(options.killGraceMs);
      options.addOn?.stop();
      throw error;
    }
    return worker;
  }

  /** True once ai-collab began stopping the process (the pool retired it, or the agent closed). */
  get stopping(): boolean {
    return this.#stopping;
  }

  override async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.connection.close();
    await this.process.stop(graceMs);
    this.#addOn?.stop();
  }

  attach(listener: WorkerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A side notice has no session id: it goes to the one session whose prompt is running, and to nobody
   * when several are (guessing could cancel the wrong step).
   */
  #notice(notice: AcpSideNotice): void {
    const prompting = [...this.#listeners].filter((listener) => listener.prompting());
    if (prompting.length === 1) prompting[0]?.notice(notice);
  }

  async #initialize(options: AcpWorkerOptions): Promise<void> {
    const timeout = new AbortController();
    const cancelTimer = options.clock.setTimer(options.initializeTimeoutMs, () => timeout.abort());
    const timedOut = new Promise<'timeout'>((resolve) =>
      timeout.signal.addEventListener('abort', () => resolve('timeout'), { once: true }),
    );
    try {
      const outcome = await Promise.race([
        this.connection.initialize().then(() => 'ok' as const),
        timedOut,
        this.process.exited.then((exit) => exit),
      ]);
      if (outcome === 'ok') return;
      if (outcome === 'timeout') {
        throw new AcpStartError({
          code: 'AGENT_UNAVAILABLE',
          kind: 'transient',
          message: `${options.name} did not answer ACP initialize within ${options.initializeTimeoutMs} ms${this.#said()}`,
        });
      }
      throw new AcpStartError(this.#exitFailure(options.name, outcome));
    } catch (error) {
      if (error instanceof AcpStartError) throw error;
      if (!this.process.alive)
        throw new AcpStartError(this.#exitFailure(options.name, await this.process.exited));
      if (error instanceof AcpProtocolError) {
        throw new AcpStartError({ code: 'PROTOCOL_ERROR', kind: 'permanent', message: error.message });
      }
      const rpc = rpcErrorOf(error);
      throw new AcpStartError(
        rpc
          ? failureOfRpcError(rpc, 'ACP initialize', options.clock.now())
          : { code: 'PROTOCOL_ERROR', kind: 'transient', message: `ACP initialize failed: ${String(error)}` },
      );
    } finally {
      cancelTimer();
    }
  }

  #exitFailure(name: string, exit: ProcessExit): StepFailure {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return {
      code: 'AGENT_CRASHED',
      kind: 'transient',
      message: `${name} ${how} before answering ACP initialize${this.#said()}`,
      ...(exit.code !== null && { exitCode: exit.code }),
      outputTail: this.process.stderrTail().slice(-2_000),
    };
  }

  #said(): string {
    const last = this.process.stderrTail().trim().split('\n').slice(-2).join(' | ').trim();
    return last ? `: ${last.slice(0, 400)}` : '';
  }
}

/** Why a worker could not be started, as the failure the waiting step should report. */
export class AcpStartError extends Error {
  override readonly name = 'AcpStartError';
  readonly failure: StepFailure;
  constructor(failure: StepFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** A retry the agent announced, as a stream part. */
export function retryNoticePart(notice: AcpSideNotice): AgentStreamPart {
  return {
    type: 'retry-notice',
    message: `model call attempt ${notice.attempt} failed${notice.status ? ` (${notice.status})` : ''}: ${notice.message}`,
    ...(notice.delayMs !== undefined && { delayMs: notice.delayMs }),
  };
}
