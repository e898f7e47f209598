/**
 * Claude Code as an agent. By default steps run on warm, pooled `--input-format stream-json` processes
 * (one pool per working directory, since a process is bound to its cwd); `mode: oneshot`, and retries
 * that resume an earlier session, use one `--output-format json` process per step instead.
 */
import { relative } from 'node:path';
import { type Agent, type AgentResult, type AgentStreamPart, type AgentTask, promptOf } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { poolTagName } from '../agent-deps.js';
import { aborted, failure } from '../agent-results.js';
import { agentPoolOptions } from '../pool/agent-pool-options.js';
import { PoolUnavailableError, ProcessPool } from '../pool/process-pool.js';
import { CappedLog } from '../process/capped-log.js';
import { readProcEntry } from '../process/proc-table.js';
import { specForStep } from '../read-only.js';
import { classifyClaudeResult } from './classify-claude-result.js';
import { claudeEnvironment } from './claude-environment.js';
import { announcedReset, announcedWindow, usageOf, writtenPaths } from './claude-messages.js';
import { runClaudeOneShot } from './claude-one-shot.js';
import { type ClaudeSpec, claudeReadOnly } from './claude-spec.js';
import { ClaudeStreamWorker, type TurnOutcome } from './claude-stream-worker.js';

export class ClaudeAgent implements Agent {
  readonly name: string;
  readonly #spec: ClaudeSpec;
  readonly #deps: AgentDeps;
  readonly #pools = new Map<string, ProcessPool<ClaudeStreamWorker>>();
  /** Distinguishes this agent's pools (one per working directory) in process tags. */
  #serial = 0;

  constructor(spec: ClaudeSpec, deps: AgentDeps) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
  }

  async warm(): Promise<void> {
    if (this.#spec.mode === 'oneshot') return;
    await this.#pool(this.#deps.workspace).warm();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }

  poolStats() {
    return [...this.#pools.entries()].map(([key, pool]) => ({
      cwd: key.split('\u0000')[0] ?? key,
      ...pool.stats(),
    }));
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const transcript = new CappedLog(task.logFile, this.#deps.maxLogBytes);
    try {
      // A warm process's permission mode is fixed at its start: a read-only step gets its own, in plan mode.
      const spec = specForStep(this.#spec, task.step, claudeReadOnly);
      // A step with its own dollar cap runs in a process of its own, which Claude Code stops at the cap
      // (`--max-budget-usd` counts a process's whole life, so a shared warm one cannot carry it).
      const cap = task.step.budget?.usd;
      if (spec.mode === 'oneshot' || cap !== undefined)
        return await runClaudeOneShot({
          spec,
          deps: this.#deps,
          task,
          transcript,
          ...(cap !== undefined && { maxBudgetUsd: cap }),
        });
      return await this.#runOnPool(task, transcript);
    } finally {
      await transcript.close();
    }
  }

  async #runOnPool(task: AgentTask, transcript: CappedLog): Promise<AgentResult> {
    let lease: Awaited<ReturnType<ProcessPool<ClaudeStreamWorker>['acquire']>>;
    try {
      lease = await this.#pool(task.workspace, task.step.env).acquire(task.signal);
    } catch (error) {
      if (task.signal.aborted) return aborted();
      const permanent = error instanceof PoolUnavailableError && error.permanent;
      return failure({
        code: 'AGENT_UNAVAILABLE',
        kind: permanent ? 'permanent' : 'transient',
        message: String(error instanceof Error ? error.message : error),
      });
    }
    const worker = lease.worker;
    task.onProcessStarted({ ...worker.process.root, logFile: task.logFile });
    const outcome = await worker.runTurn({
      prompt: promptOf(task),
      signal: task.signal,
      transcript,
      onPart: (part) => task.onEvent?.(part),
    });
    // Read before release: releasing a broken worker records its own retirement reason.
    const stoppedBecause = lease.stoppedBecause();
    if (outcome.kind === 'result') {
      // The step's answer is ready now; the context reset runs after it, off the step's critical path,
      // and the worker only goes back to the pool once it is clean.
      void worker.clearContext(10_000, this.#deps.clock).then((clean) => lease.release({ reusable: clean }));
    } else {
      lease.release({ reusable: false });
    }
    return this.#toResult(outcome, task, stoppedBecause);
  }

  #toResult(outcome: TurnOutcome, task: AgentTask, stoppedBecause: string | undefined): AgentResult {
    const sessionId = lastSession(outcome.parts);
    const session = sessionId ? { sessionId } : {};
    if (outcome.kind === 'aborted') return { ...aborted(), ...session };
    if (outcome.kind === 'exited') {
      const why = stoppedBecause ?? describeExit(outcome.exit.code, outcome.exit.signal);
      const said = outcome.stderrTail.trim().split('\n').pop()?.trim();
      return failure(
        {
          code: 'AGENT_CRASHED',
          kind: 'transient',
          message: `claude ${why} during the step${said ? `: ${said.slice(0, 300)}` : ''}`,
          outputTail: outcome.stderrTail.slice(-2_000),
        },
        session,
      );
    }
    const usage = usageOf(outcome.result);
    const details = { ...session, ...(usage && { usage }) };
    const now = this.#deps.clock.now();
    const problem = classifyClaudeResult(outcome.result, now, announcedReset(outcome.parts, now));
    const window = problem?.kind === 'usage-limit' ? announcedWindow(outcome.parts) : undefined;
    if (problem)
      return failure(window === undefined ? problem : { ...problem, limitWindow: window }, details);
    const files = filesIn(outcome.parts, task.workspace);
    return {
      ok: true,
      output: outcome.result.result ?? '',
      ...details,
      ...(files.length > 0 && { filesChanged: files }),
    };
  }

  /**
   * A process's working directory and environment are fixed when it starts: one pool per directory and
   * step environment (the step's `env`, the attempt's port block), so no step gets another's variables.
   */
  #pool(cwd: string, stepEnv: Readonly<Record<string, string>> = {}): ProcessPool<ClaudeStreamWorker> {
    const entries = Object.entries(stepEnv).sort(([one], [other]) => (one < other ? -1 : 1));
    const key = entries.length === 0 ? cwd : `${cwd}\u0000${JSON.stringify(entries)}`;
    let pool = this.#pools.get(key);
    if (pool) return pool;
    const { clock, logger, processes } = this.#deps;
    const spec = this.#spec;
    const owner = readProcEntry(process.pid);
    this.#serial++;
    // Each process gets its own tag: stopping one finds its descendants by tag, and a shared tag would
    // make it take its pool siblings with it.
    const tagOf = (serial: number) => ({
      name: poolTagName,
      value: `${process.pid}.${owner?.startTime ?? '0'}/${spec.name}/${this.#serial}.${serial}`,
    });
    let spawned = 0;
    pool = new ProcessPool<ClaudeStreamWorker>(agentPoolOptions(spec, this.#deps.killGraceMs), {
      clock,
      logger,
      spawn: () =>
        ClaudeStreamWorker.start({
          spec,
          cwd,
          env: claudeEnvironment(spec, this.#deps.environment, stepEnv),
          tag: tagOf(++spawned),
          clock,
        }),
      onWorkerStarted: (worker) =>
        processes.add({
          ...worker.process.root,
          tag: worker.process.root.tag ?? '',
          ownerPid: process.pid,
          ownerStartTime: owner?.startTime ?? '0',
          agent: spec.name,
        }),
      onWorkerStopped: (worker) => processes.remove(worker.process.root),
    });
    this.#pools.set(key, pool);
    return pool;
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function lastSession(parts: readonly AgentStreamPart[]): string | undefined {
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index];
    if (part?.type === 'session-start') return part.sessionId;
  }
  return undefined;
}

function filesIn(parts: readonly AgentStreamPart[], workspace: string): string[] {
  const files = writtenPaths(parts).map((path) => (path.startsWith('/') ? relative(workspace, path) : path));
  return [...new Set(files)].filter((path) => !path.startsWith('..'));
}
