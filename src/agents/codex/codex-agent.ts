/**
 * OpenAI Codex CLI as an agent. `mode: exec` (the default) runs one `codex exec --json` process per step;
 * `mode: app-server` serves steps from a pool of warm `codex app-server` processes, one fresh thread per
 * step. A retry of a step whose earlier attempt started a thread continues that thread (`exec resume`,
 * `thread/resume`) rather than starting over.
 */
import { type Agent, type AgentResult, type AgentTask, promptOf, type StepFailure } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { aborted, failure } from '../agent-results.js';
import { PoolUnavailableError, type ProcessPool } from '../pool/process-pool.js';
import { CappedLog } from '../process/capped-log.js';
import { specForStep } from '../read-only.js';
import { classifyCodexExit, threadNotFound } from './classify-codex-failure.js';
import type { TurnOutcome } from './codex-app-server-turn.js';
import type { CodexAppServerWorker } from './codex-app-server-worker.js';
import { sandboxOf } from './codex-args.js';
import { codexHomeOf, readCodexConfig } from './codex-config-file.js';
import { codexEnvironment, missingCodexHome } from './codex-environment.js';
import { runCodexExec } from './codex-exec-run.js';
import { CodexPools } from './codex-pools.js';
import { type ProviderPlan, planProvider } from './codex-provider.js';
import { type CodexSpec, codexReadOnly } from './codex-spec.js';
import { turnResult } from './codex-turn.js';

/** How long a cancelled turn may take to confirm `turn/interrupt` (measured ~15 ms) before its process is stopped. */
const interruptTimeoutMs = 2_000;
/** How long a finished step's commands get to exit before the worker counts them as left behind. */
const settleMs = 300;

export function createCodexAgent(spec: CodexSpec, deps: AgentDeps): Agent {
  return new CodexAgent(spec, deps);
}

export class CodexAgent implements Agent {
  readonly name: string;
  readonly #spec: CodexSpec;
  readonly #deps: AgentDeps;
  readonly #pools: CodexPools;
  #plan: ProviderPlan | undefined;
  /** Thread of each step's latest failed attempt in this process, until the engine passes it (see above). */
  readonly #threads = new Map<string, string>();

  constructor(spec: CodexSpec, deps: AgentDeps) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
    this.#pools = new CodexPools(spec, deps, () => this.providerPlan().overrides);
  }

  async warm(): Promise<void> {
    if (this.#spec.mode !== 'app-server') return;
    const environment = codexEnvironment(this.#spec, this.#deps.environment);
    if (missingCodexHome(environment)) return;
    await this.#pools.for().warm();
  }

  async close(): Promise<void> {
    await this.#pools.close();
  }

  /** The counters of the pool for steps without their own `env`. */
  poolStats() {
    return this.#pools.stats();
  }

  /** How many app-server pools the agent holds: its own, and one per distinct step `env` seen. */
  get poolCount(): number {
    return this.#pools.size;
  }

  /** The provider and the retry caps the adapter passes to codex, for diagnostics and tests. */
  providerPlan(): ProviderPlan {
    this.#plan ??= planProvider(
      this.#spec,
      readCodexConfig(codexHomeOf(codexEnvironment(this.#spec, this.#deps.environment))),
    );
    return this.#plan;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    // A step that only looks runs on exec in codex's read-only sandbox.
    const spec = specForStep(this.#spec, task.step, codexReadOnly);
    const mode = spec.mode ?? 'exec';
    if (mode !== 'exec' && mode !== 'app-server') {
      return failure({
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message: `agent ${this.name}: mode "${mode}" is not a codex mode; use exec or app-server`,
      });
    }
    const stepEnv = task.step.env ?? {};
    const env = codexEnvironment(this.#spec, this.#deps.environment, stepEnv);
    const problem = missingCodexHome(env);
    if (problem) return failure(problem);
    if (task.signal.aborted) return aborted();
    const transcript = new CappedLog(task.logFile, this.#deps.maxLogBytes);
    const key = `${task.runId}\u0000${task.stepId}`;
    const resumeThreadId = namedThread(task) ?? this.#threads.get(key);
    try {
      // A step with its own `env` runs on a pooled server started with that environment.
      const run = (resume: string | undefined): Promise<AgentResult> =>
        mode === 'app-server'
          ? this.#pools.run(stepEnv, (pool) => this.#runOnPool(pool, task, transcript, resume))
          : this.#runExec(spec, task, transcript, env, resume);
      let result = await run(resumeThreadId);
      if (resumeThreadId !== undefined && !result.ok && isMissingThread(result.failure)) {
        // The thread is gone (sessions deleted, another CODEX_HOME): start the step afresh instead.
        result = await run(undefined);
      }
      if (result.ok) this.#threads.delete(key);
      else if (result.sessionId !== undefined) this.#threads.set(key, result.sessionId);
      return result;
    } finally {
      await transcript.close();
    }
  }

  #runExec(
    spec: CodexSpec,
    task: AgentTask,
    transcript: CappedLog,
    env: Record<string, string>,
    resumeThreadId: string | undefined,
  ): Promise<AgentResult> {
    return runCodexExec({
      spec,
      deps: this.#deps,
      task,
      prompt: promptFor(task, resumeThreadId),
      transcript,
      env,
      overrides: this.providerPlan().overrides,
      ...(resumeThreadId !== undefined && { resumeThreadId }),
    });
  }

  async #runOnPool(
    pool: ProcessPool<CodexAppServerWorker>,
    task: AgentTask,
    transcript: CappedLog,
    resumeThreadId: string | undefined,
  ): Promise<AgentResult> {
    let lease: Awaited<ReturnType<ProcessPool<CodexAppServerWorker>['acquire']>>;
    try {
      lease = await pool.acquire(task.signal);
    } catch (error) {
      if (task.signal.aborted) return aborted();
      const permanent = error instanceof PoolUnavailableError && error.permanent;
      return failure({
        code: 'AGENT_UNAVAILABLE',
        kind: permanent ? 'permanent' : 'transient',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    const worker = lease.worker;
    task.onProcessStarted({ ...worker.process.root, logFile: task.logFile });
    let ranCommand = false;
    const outcome = await worker.runTurn({
      cwd: task.workspace,
      prompt: promptFor(task, resumeThreadId),
      ...(this.#spec.model !== undefined && { model: this.#spec.model }),
      sandbox: sandboxOf(this.#spec),
      ...(resumeThreadId !== undefined && { resumeThreadId }),
      signal: task.signal,
      transcript,
      onPart: (part) => {
        if (part.type === 'tool-call' && part.name === 'command') ranCommand = true;
        task.onEvent?.(part);
      },
      interruptTimeoutMs,
    });
    // Read before release: releasing a broken worker records its own retirement reason.
    const stoppedBecause = lease.stoppedBecause();
    let reusable =
      outcome.kind === 'ended' ||
      (outcome.kind === 'aborted' && outcome.confirmed) ||
      (outcome.kind === 'refused' && outcome.rpcError);
    // Only a command can leave one of the step's processes behind. codex's own shell snapshot (a `bash -lc`
    // it runs as each thread starts) outlives the settle on a loaded machine, and is no reason to retire.
    if (reusable && ranCommand && (await worker.leftBehind(settleMs)) > 0) reusable = false;
    if (reusable && outcome.state.threadId !== undefined) worker.forget(outcome.state.threadId);
    // A worker that is not reused is stopped before the step returns, so nothing of the step outlives it.
    if (!reusable) await worker.stop(this.#deps.killGraceMs);
    lease.release({ reusable });
    return this.#resultOf(outcome, task, stoppedBecause);
  }

  #resultOf(outcome: TurnOutcome, task: AgentTask, stoppedBecause: string | undefined): AgentResult {
    const state = outcome.state;
    const session = state.threadId !== undefined ? { sessionId: state.threadId } : {};
    switch (outcome.kind) {
      case 'aborted':
        return { ...aborted(), ...session };
      case 'ended':
        // The interrupt's own `turn/completed` can arrive before the adapter's confirmation does.
        if (task.signal.aborted) return { ...aborted(), ...session };
        return turnResult(state, task.workspace, this.#deps.clock.now()) ?? failure(noEnd(), session);
      case 'exited': {
        const crash = classifyCodexExit({
          exitCode: outcome.exit.code,
          signal: outcome.exit.signal,
          stderrTail: outcome.stderrTail,
          ...(state.lastNotice !== undefined && { lastNotice: state.lastNotice }),
        });
        const message = stoppedBecause
          ? `codex app-server was stopped (${stoppedBecause}) during the step`
          : crash.message;
        return failure({ ...crash, message }, session);
      }
      case 'refused':
        return failure(
          {
            code: 'PROTOCOL_ERROR',
            kind: 'transient',
            message: `codex app-server refused the step: ${outcome.message}`,
          },
          session,
        );
    }
  }
}

/**
 * The prompt of an attempt. A resumed thread already holds the task, so it is told to carry on rather than
 * given the task as if new (which reads as "do it again").
 */
function promptFor(task: AgentTask, resumeThreadId: string | undefined): string {
  if (resumeThreadId === undefined) return promptOf(task);
  return `The previous attempt at this task stopped before it finished. Check the current state of the workspace, then continue and complete the task:\n\n${promptOf(task)}`;
}

function isMissingThread(problem: StepFailure): boolean {
  return threadNotFound(`${problem.message}\n${problem.outputTail ?? ''}`);
}

function noEnd(): StepFailure {
  return { code: 'PROTOCOL_ERROR', kind: 'transient', message: 'codex ended the turn without a status' };
}

/** The thread of an earlier attempt a task may name (proposed `AgentTask.resumeSessionId`; not typed yet). */
function namedThread(task: AgentTask): string | undefined {
  return 'resumeSessionId' in task && typeof task.resumeSessionId === 'string'
    ? task.resumeSessionId
    : undefined;
}
