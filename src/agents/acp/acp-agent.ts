/**
 * Any Agent Client Protocol (v1) agent as an ai-collab agent: `spec.command spec.args` is started as a
 * warm, pooled process speaking ACP over stdio, and each step gets a fresh session in its own directory
 * on one of them. One process may serve several sessions at once (`sessionsPerProcess`).
 */
import { basename } from 'node:path';
import type { Agent, AgentResult, AgentTask, StepFailure } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { poolTagName } from '../agent-deps.js';
import { aborted } from '../agent-results.js';
import { agentEnvironment } from '../cli-environment.js';
import { agentPoolOptions } from '../pool/agent-pool-options.js';
import { PoolUnavailableError, ProcessPool } from '../pool/process-pool.js';
import { CappedLog } from '../process/capped-log.js';
import { readProcEntry } from '../process/proc-table.js';
import { isReadOnlyStep } from '../read-only.js';
import { acpEnvironmentPolicy } from './acp-environment.js';
import { permissionLevel } from './acp-permission-policy.js';
import { type SessionSlot, SessionSlots } from './acp-session-slots.js';
import type { AcpAgentSpec } from './acp-spec.js';
import { runAcpTurn, type TurnSettings } from './acp-turn.js';
import { type AcpProcessAddOn, AcpStartError, AcpWorker } from './acp-worker.js';
import type { RpcErrorShape } from './classify-acp-outcome.js';

export interface AcpAgentOptions {
  /** Arguments after the command; `spec.args` by default. */
  args?: readonly string[];
  /** The process environment; `agentEnvironment(spec, acpEnvironmentPolicy(spec.command), deps.environment)` by default. */
  environment?: Record<string, string>;
  /** Offer the agent our file system (confined to each session's directory); true by default. */
  fileSystem?: boolean;
  /** Sessions one process serves at once; 1 by default (see the agent's notes before raising it). */
  sessionsPerProcess?: number;
  /** Auth method for agents that answer `session/new` with "authentication required". */
  authMethodId?: string;
  /** Per-process add-on (environment and a side channel), created for every process. */
  addOn?: () => AcpProcessAddOn;
  /** The attempt of a failing model call at which a step gives up, for a session's directory (see acp-turn). */
  retryCap?: (workspace: string) => number | undefined;
  refineFailure?: (failure: StepFailure, rpc: RpcErrorShape | undefined) => StepFailure;
  /** How long a cancelled turn may take to confirm; 2 s by default. */
  cancelGraceMs?: number;
  initializeTimeoutMs?: number;
  /** Runs the steps that only look, when the CLI has a read-only mode of its own (gemini's `plan`). */
  runReadOnly?: (task: AgentTask) => Promise<AgentResult>;
}

/**
 * Whether to offer the client file system by default. Gemini CLI 0.61.0 cannot create a new file through
 * it (see gemini-agent.ts), so a plain `acp` agent whose command is gemini gets none; its own file access
 * is confined to the session's directory.
 */
function offersFileSystem(spec: AcpAgentSpec): boolean {
  return basename(spec.command) !== 'gemini';
}

let workersStarted = 0;

/**
 * Each worker's own tag (`<owner pid>.<owner start>/<agent>/<n>`): stopping a worker stops every process
 * that carries its tag and started after it, so a tag shared by the pool would take the worker's younger
 * siblings down with it.
 */
function workerTag(poolTag: string): { name: string; value: string } {
  workersStarted++;
  return { name: poolTagName, value: `${poolTag}/${workersStarted}` };
}

export function createAcpAgent(spec: AcpAgentSpec, deps: AgentDeps, options: AcpAgentOptions = {}): Agent {
  return new AcpAgent(spec, deps, {
    ...(spec.authMethod !== undefined && { authMethodId: spec.authMethod }),
    ...(spec.pool.sessionsPerProcess !== undefined && { sessionsPerProcess: spec.pool.sessionsPerProcess }),
    ...options,
  });
}

export class AcpAgent implements Agent {
  readonly name: string;
  readonly #spec: AcpAgentSpec;
  readonly #deps: AgentDeps;
  readonly #options: AcpAgentOptions;
  readonly #pool: ProcessPool<AcpWorker>;
  readonly #slots: SessionSlots<AcpWorker>;

  constructor(spec: AcpAgentSpec, deps: AgentDeps, options: AcpAgentOptions) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
    this.#options = options;
    this.#pool = this.#createPool();
    this.#slots = new SessionSlots(this.#pool, {
      perProcess: options.sessionsPerProcess ?? 1,
      maxSessions: spec.pool.maxUses,
    });
  }

  async warm(): Promise<void> {
    await this.#pool.warm();
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  poolStats() {
    return this.#pool.stats();
  }

  async run(task: AgentTask): Promise<AgentResult> {
    if (this.#options.runReadOnly && isReadOnlyStep(task.step)) return this.#options.runReadOnly(task);
    const transcript = new CappedLog(task.logFile, this.#deps.maxLogBytes);
    try {
      let slot: SessionSlot<AcpWorker>;
      try {
        slot = await this.#slots.acquire(task.signal);
      } catch (error) {
        return this.#unavailable(error, task);
      }
      task.onProcessStarted({ ...slot.worker.process.root, logFile: task.logFile });
      const end = await runAcpTurn(slot.worker, task, transcript, this.#turnSettings(task));
      const stoppedBecause = slot.stoppedBecause();
      slot.release({ reusable: end.reusable, ...(end.retireNow && { retireNow: true }) });
      if (stoppedBecause && !end.result.ok && end.result.failure.code === 'AGENT_CRASHED') {
        end.result.failure.message = `${end.result.failure.message} (${stoppedBecause})`;
      }
      return end.result;
    } finally {
      await transcript.close();
    }
  }

  #turnSettings(task: AgentTask): TurnSettings {
    const retryCap = this.#options.retryCap?.(task.workspace);
    return {
      name: this.#spec.name,
      clock: this.#deps.clock,
      // A step that only looks gets reads only, whatever the agent's configuration allows.
      permissions: isReadOnlyStep(task.step) ? 'read-only' : permissionLevel(this.#spec),
      cancelGraceMs: this.#options.cancelGraceMs ?? 2_000,
      ...(retryCap !== undefined && { retryCap }),
      ...(this.#options.refineFailure && { refineFailure: this.#options.refineFailure }),
    };
  }

  #unavailable(error: unknown, task: AgentTask): AgentResult {
    if (task.signal.aborted) return aborted();
    if (error instanceof AcpStartError) return { ok: false, failure: error.failure };
    const permanent = error instanceof PoolUnavailableError && error.permanent;
    return {
      ok: false,
      failure: {
        code: 'AGENT_UNAVAILABLE',
        kind: permanent ? 'permanent' : 'transient',
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }

  #createPool(): ProcessPool<AcpWorker> {
    const { clock, logger, processes } = this.#deps;
    const spec = this.#spec;
    const owner = readProcEntry(process.pid);
    const poolTag = `${process.pid}.${owner?.startTime ?? '0'}/${spec.name}`;
    const environment =
      this.#options.environment ??
      agentEnvironment(spec, acpEnvironmentPolicy(spec.command), this.#deps.environment);
    const pool: ProcessPool<AcpWorker> = new ProcessPool<AcpWorker>(
      agentPoolOptions(spec, this.#deps.killGraceMs),
      {
        clock,
        logger,
        spawn: async () => {
          const tag = workerTag(poolTag);
          try {
            return await AcpWorker.start({
              name: spec.name,
              command: spec.command,
              args: this.#options.args ?? spec.args,
              // One process serves steps of any directory: each session names its own cwd.
              cwd: this.#deps.workspace,
              env: environment,
              tag,
              clock,
              connection: {
                fileSystem: this.#options.fileSystem ?? offersFileSystem(spec),
                ...(this.#options.authMethodId !== undefined && { authMethodId: this.#options.authMethodId }),
              },
              ...(this.#options.addOn && { addOn: this.#options.addOn() }),
              initializeTimeoutMs: this.#options.initializeTimeoutMs ?? 60_000,
              killGraceMs: this.#deps.killGraceMs,
            });
          } catch (error) {
            // Steps waiting for this process learn why at once instead of after the pool's crash backoff.
            if (pool.stats().live === 0) this.#slots.failWaiters(error);
            throw error;
          }
        },
        onWorkerStarted: (worker) =>
          processes.add({
            ...worker.process.root,
            tag: worker.process.root.tag ?? `${poolTagName}=${poolTag}`,
            ownerPid: process.pid,
            ownerStartTime: owner?.startTime ?? '0',
            agent: spec.name,
          }),
        onWorkerStopped: (worker) => processes.remove(worker.process.root),
      },
    );
    return pool;
  }
}
