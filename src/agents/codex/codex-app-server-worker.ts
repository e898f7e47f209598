/**
 * One warm `codex app-server` process (JSON-RPC on stdio), started and initialised ahead of need. It
 * serves one step at a time: each step gets a fresh thread in the step's working directory (or resumes
 * the step's earlier thread), so no context leaks between steps and one process serves every directory.
 */
import type { Clock } from '../../support/clock.js';
import { ProcessWorker } from '../pool/process-worker.js';
import { AgentProcess, type ProcessExit } from '../process/agent-process.js';
import { findTreeMembers } from '../process/kill-tree.js';
import { optedOutNotifications } from './codex-app-server-events.js';
import { runAppServerTurn, type TurnOutcome, type TurnRequest } from './codex-app-server-turn.js';
import { appServerArgs } from './codex-args.js';
import { CodexRpc, type RpcServerRequest } from './codex-rpc.js';
import { answerServerRequest } from './codex-server-requests.js';
import type { CodexSpec } from './codex-spec.js';

/** Measured ~0.2 s; generous because a first start may build caches, and a hung start must not hang a step. */
const initializeTimeoutMs = 30_000;

export interface WorkerStartOptions {
  spec: CodexSpec;
  /** The process's own working directory; threads set their own. */
  cwd: string;
  env: Record<string, string>;
  overrides: readonly string[];
  tag: { name: string; value: string };
  clock: Clock;
  killGraceMs: number;
}

export class CodexAppServerWorker extends ProcessWorker {
  readonly #rpc: CodexRpc;
  readonly #clock: Clock;
  /** The processes of an idle server (the npm launcher and the native binary): anything more is a step's. */
  #baseline = new Set<number>();
  #onServerRequest: ((request: RpcServerRequest) => void) | undefined;
  #onExit: ((exit: ProcessExit) => void) | undefined;

  private constructor(process: AgentProcess, clock: Clock) {
    super(process);
    this.#clock = clock;
    this.#rpc = new CodexRpc(process, clock, (request) => {
      this.#onServerRequest?.(request);
      return answerServerRequest(request);
    });
    // `exited` never rejects; this only tells the step being served, if any.
    void process.exited.then((exit) => this.#onExit?.(exit));
  }

  /** Spawns the server and completes the `initialize` / `initialized` handshake; rejects if it cannot. */
  static async start(options: WorkerStartOptions): Promise<CodexAppServerWorker> {
    const process = await AgentProcess.start({
      command: options.spec.command,
      args: appServerArgs(options.spec, options.overrides),
      cwd: options.cwd,
      env: options.env,
      tag: options.tag,
      clock: options.clock,
      stdin: 'pipe',
    });
    const worker = new CodexAppServerWorker(process, options.clock);
    try {
      await worker.#rpc.request(
        'initialize',
        {
          clientInfo: { name: 'ai-collab', title: 'ai-collab', version: '0.1.0' },
          capabilities: {
            experimentalApi: false,
            requestAttestation: false,
            optOutNotificationMethods: optedOutNotifications,
          },
        },
        initializeTimeoutMs,
      );
      worker.#rpc.notify('initialized');
    } catch (error) {
      await process.stop(options.killGraceMs);
      const said = process.stderrTail().trim().split('\n').slice(-3).join(' | ');
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`codex app-server did not start: ${why}${said ? `: ${said.slice(0, 500)}` : ''}`);
    }
    worker.#baseline = await findTreeMembers(process.root);
    return worker;
  }

  runTurn(request: TurnRequest): Promise<TurnOutcome> {
    this.#onServerRequest = (asked) =>
      request.onPart({
        type: 'warning',
        message: `codex asked ${asked.method}; declined (steps run unattended)`,
      });
    const host = {
      rpc: this.#rpc,
      process: this.process,
      clock: this.#clock,
      onExit: (listener: ((exit: ProcessExit) => void) | undefined) => {
        this.#onExit = listener;
      },
    };
    return runAppServerTurn(host, request).finally(() => {
      this.#onServerRequest = undefined;
    });
  }

  /**
   * Whether the last step left processes behind. codex keeps a command the model started in the
   * background (its unified exec sessions) alive after the turn ends, even after `turn/interrupt`
   * (measured: a `sleep 30` survived the interrupt and the thread's unsubscribe); such a worker is retired,
   * which stops them. Waits up to `settleMs` for commands that are just exiting.
   */
  async leftBehind(settleMs: number): Promise<number> {
    const deadline = this.#clock.now() + settleMs;
    for (;;) {
      const extra = [...(await findTreeMembers(this.process.root))].filter(
        (pid) => !this.#baseline.has(pid),
      ).length;
      if (extra === 0 || this.#clock.now() >= deadline) return extra;
      await this.#clock.sleep(25);
    }
  }

  /** Lets codex unload the thread (it keeps loaded threads in memory otherwise). Best effort. */
  forget(threadId: string): void {
    void this.#rpc.request('thread/unsubscribe', { threadId }, 5_000).catch(() => {
      // The worker may be retiring or gone; its threads go with it.
    });
  }
}
