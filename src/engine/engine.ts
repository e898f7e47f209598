/**
 * The engine API every front end calls: create, start, resume, pause, stop and cancel runs, and read
 * their state. It owns no state of its own beyond the live runs; everything else is in the store.
 */
import { join } from 'node:path';
import { isSameProcessAlive } from '../agents/process/proc-table.js';
import type { AgentRegistry } from '../agents/registry.js';
import { ProviderBackoff } from '../limits/provider-backoff.js';
import type { SlotPool } from '../limits/slot-pool.js';
import type { PlanDefinition } from '../protocol/plan-types.js';
import type { ApprovalDecision, EventStore, OwnerIdentity, RunRecord } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import { createRunId } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import type { RunEvent } from './events.js';
import { loadRunState } from './load-run-state.js';
import { applyEvent, createRunState } from './projection.js';
import { recoverRunningSteps } from './recover-steps.js';
import { RunExecutor, retriableStatuses, type StopMode } from './run-executor.js';
import { type LivePartListener, type RunEventListener, RunRecorder } from './run-recorder.js';
import { type RunState, terminalRunStatuses } from './run-state.js';
import { type EstimateSource, median } from './scheduler/critical-path.js';
import type { StepHooks } from './step-hooks.js';

export interface EngineDeps {
  store: EventStore;
  clock: Clock;
  logger: Logger;
  random: () => number;
  agents: AgentRegistry;
  slots: SlotPool;
  /** Identity of this orchestrator process, recorded as the owner of the runs it executes. */
  owner: OwnerIdentity;
  /** Where run logs go (`<stateDir>/runs/<runId>/logs`). */
  stateDir: string;
  /** SIGTERM → SIGKILL grace when stopping process trees. */
  killGraceMs: number;
  /** Workspace isolation and review / merge stages around each step (pipeline rooms). */
  hooks?: StepHooks;
  /** The shared backoff of the providers behind the agents; each agent its own provider when absent. */
  providers?: ProviderBackoff;
}

export interface CreateRunOptions {
  plan: PlanDefinition;
  workspace: string;
  planFile: string | null;
  concurrency?: number;
  failFast?: boolean;
  /** When set, nothing runs until a person approves (the reason is shown to them). */
  approval?: { reason: string };
  /** A run id handed out before the plan existed (MCP's plan_task while it plans); made here otherwise. */
  runId?: string;
}

export interface ApprovalInput {
  decision: 'approved' | 'rejected';
  /** Who decided, e.g. `terminal`, `dashboard`, `vscode`, `mcp`. */
  by: string;
  reason?: string;
  /** An edited plan to run instead (already validated by the caller). */
  plan?: PlanDefinition;
}

export interface RunHandle {
  readonly runId: string;
  readonly state: RunState;
  readonly done: Promise<RunState>;
  subscribe(listener: RunEventListener): () => void;
  /** Live agent output of running steps (not persisted). */
  subscribeLive(listener: LivePartListener): () => void;
}

export const defaultConcurrency = 4;

/** How often a run waiting for approval looks for a decision made by another process. */
const approvalPollMs = 250;

export class Engine {
  readonly #deps: EngineDeps & { providers: ProviderBackoff };
  readonly #active = new Map<string, { executor: RunExecutor; recorder: RunRecorder }>();
  readonly #durationCache = new Map<string, number | undefined>();
  /** Runs created here and not started yet: their state is already built, so start need not replay it. */
  readonly #created = new Map<string, RunState>();
  readonly #handles = new Map<string, RunHandle>();
  /** In-process wake-ups for runs waiting on a decision (other processes are seen by polling the store). */
  readonly #approvalWaiters = new Map<string, Set<() => void>>();

  constructor(deps: EngineDeps) {
    this.#deps = { ...deps, providers: deps.providers ?? ProviderBackoff.perAgent(deps) };
  }

  /** Records a new run durably (status `pending`); nothing runs until `startRun`. */
  createRun(options: CreateRunOptions): RunState {
    const { clock, store } = this.#deps;
    const runId = options.runId ?? createRunId(clock.now());
    const concurrency = options.concurrency ?? options.plan.concurrency ?? defaultConcurrency;
    const event: Extract<RunEvent, { type: 'run.created' }> = {
      type: 'run.created',
      runId,
      seq: 1,
      at: clock.now(),
      data: {
        plan: options.plan,
        workspace: options.workspace,
        planFile: options.planFile,
        concurrency,
        failFast: options.failFast ?? false,
      },
    };
    const events: RunEvent[] = [event];
    if (options.approval) {
      events.push({
        type: 'run.approval-requested',
        runId,
        seq: 2,
        at: event.at,
        data: { reason: options.approval.reason },
      });
    }
    store.createRun(
      {
        runId,
        name: options.plan.name,
        workspace: options.workspace,
        planFile: options.planFile,
        status: options.approval ? 'awaiting_approval' : 'pending',
        stepCount: options.plan.steps.length,
        createdAt: event.at,
        finishedAt: null,
        owner: null,
      },
      events.map((item) => ({ runId, seq: item.seq, type: item.type, at: item.at, data: item.data })),
    );
    const state = createRunState(event);
    for (const item of events.slice(1)) applyEvent(state, item);
    this.#created.set(runId, state);
    return state;
  }

  startRun(runId: string): RunHandle {
    const state = this.#created.get(runId) ?? this.#load(runId);
    this.#created.delete(runId);
    if (state.status !== 'pending' && state.status !== 'awaiting_approval') {
      throw new InputError('RUN_NOT_RESUMABLE', `run ${runId} has already started; use resume`);
    }
    if (!this.#deps.store.claimRun(runId, null, this.#deps.owner)) {
      throw new InputError('RUN_OWNED', `run ${runId} was taken by another ai-collab process`);
    }
    return this.#execute(new RunRecorder(this.#deps.store, this.#deps.clock, state), false);
  }

  /**
   * Continues a run that was interrupted or whose orchestrator died: stops any processes its running
   * steps left behind, marks those steps interrupted, and schedules everything not yet done.
   */
  async resumeRun(runId: string): Promise<RunHandle> {
    const record = this.#deps.store.getRun(runId);
    if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    if (terminalRunStatuses.has(record.status as RunState['status'])) {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} already ended (${record.status}); nothing to resume`,
      );
    }
    if (this.#active.has(runId) || (record.owner && isOwnerAlive(record.owner))) {
      const owner = record.owner ? `process ${record.owner.pid}` : 'this process';
      throw new InputError(
        'RUN_OWNED',
        `run ${runId} is being executed by ${owner}; stop it before resuming`,
      );
    }
    if (!this.#deps.store.claimRun(runId, record.owner, this.#deps.owner)) {
      throw new InputError('RUN_OWNED', `run ${runId} was resumed by another ai-collab process just now`);
    }
    const recorder = new RunRecorder(this.#deps.store, this.#deps.clock, this.#load(runId));
    const previous = record.owner ? ` (pid ${record.owner.pid})` : '';
    await recoverRunningSteps(recorder, {
      clock: this.#deps.clock,
      killGraceMs: this.#deps.killGraceMs,
      reason: `the orchestrator${previous} stopped while the step ran`,
    });
    return this.#execute(recorder, true);
  }

  /**
   * A person's decision on a run awaiting approval, from any front end and any process. Exactly one decision
   * counts (the first recorded); returns whether it was this one.
   */
  decide(runId: string, input: ApprovalInput): boolean {
    const record = this.#deps.store.getRun(runId);
    if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    if (record.status !== 'awaiting_approval') {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} is not waiting for approval (it is ${record.status})`,
      );
    }
    const decided = this.#deps.store.decideApproval(runId, {
      decision: input.decision,
      by: input.by,
      at: this.#deps.clock.now(),
      ...(input.reason !== undefined && { reason: input.reason }),
      ...(input.plan !== undefined && { plan: input.plan }),
    });
    if (decided) for (const wake of this.#approvalWaiters.get(runId) ?? []) wake();
    return decided;
  }

  /**
   * Runs a failed, blocked, cancelled or conflicted step again with a fresh retry budget. A run still going
   * in this process takes it at once; a finished run is reopened and executed by this process.
   */
  async retryStep(runId: string, stepId: string, by: string): Promise<RunHandle | undefined> {
    const active = this.#active.get(runId);
    if (active) {
      if (!active.executor.retryStep(stepId, by)) {
        throw new InputError('RUN_NOT_RESUMABLE', `step ${stepId} of run ${runId} cannot be retried now`);
      }
      return undefined;
    }
    const record = this.#deps.store.getRun(runId);
    if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    if (record.owner && isOwnerAlive(record.owner)) {
      throw new InputError(
        'RUN_OWNED',
        `run ${runId} is being executed by process ${record.owner.pid}; retry it there`,
      );
    }
    const state = this.#load(runId);
    const status = state.steps[stepId]?.status;
    if (!status || !retriableStatuses.has(status)) {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `step ${stepId} is ${status ?? 'unknown'}; only failed, blocked, cancelled or conflicted steps can be retried`,
      );
    }
    if (!this.#deps.store.claimRun(runId, record.owner, this.#deps.owner)) {
      throw new InputError('RUN_OWNED', `run ${runId} was taken by another ai-collab process just now`);
    }
    const recorder = new RunRecorder(this.#deps.store, this.#deps.clock, state);
    recorder.record({ type: 'step.retry-requested', data: { stepId, by } });
    // Cancelled steps of a finished run come back too, so the whole remaining plan can finish.
    for (const id of state.order) {
      if (id !== stepId && state.steps[id]?.status === 'cancelled') {
        recorder.record({ type: 'step.retry-requested', data: { stepId: id, by } });
      }
    }
    return this.#execute(recorder, true);
  }

  /** A run executing in this process, to follow its events live. */
  activeRun(runId: string): RunHandle | undefined {
    return this.#handles.get(runId);
  }

  /** Runs of a workspace that `resume` would continue: interrupted, or running with a dead owner. */
  resumableRuns(workspace: string): RunRecord[] {
    return this.#deps.store
      .listRuns({ workspace })
      .filter((run) => isResumable(run) && !this.#active.has(run.runId))
      .reverse();
  }

  getRunState(runId: string): RunState | undefined {
    const active = this.#active.get(runId);
    if (active) return active.recorder.state;
    return this.#deps.store.getRun(runId) ? this.#load(runId) : undefined;
  }

  listRuns(workspace?: string): RunRecord[] {
    return this.#deps.store.listRuns(workspace === undefined ? {} : { workspace });
  }

  pause(runId: string): void {
    this.#activeRun(runId).executor.pause();
  }

  resume(runId: string): void {
    this.#activeRun(runId).executor.resume();
  }

  stop(runId: string, mode: StopMode, reason?: string): void {
    this.#activeRun(runId).executor.stop(mode, reason);
  }

  /** Cancels a run; one still awaiting approval is rejected (by `by`), which ends it cancelled. */
  cancel(runId: string, by = 'cancel'): void {
    const active = this.#active.get(runId);
    if (
      active?.recorder.state.status === 'awaiting_approval' ||
      (!active && this.#deps.store.getRun(runId)?.status === 'awaiting_approval')
    ) {
      this.decide(runId, { decision: 'rejected', by, reason: 'cancelled' });
      return;
    }
    this.#activeRun(runId).executor.cancel();
  }

  /** Stops every active run (for process shutdown). */
  stopAll(mode: StopMode, reason?: string): void {
    for (const { executor } of this.#active.values()) executor.stop(mode, reason);
  }

  #activeRun(runId: string): { executor: RunExecutor; recorder: RunRecorder } {
    const active = this.#active.get(runId);
    if (!active) throw new InputError('RUN_NOT_FOUND', `run ${runId} is not running in this process`);
    return active;
  }

  #execute(recorder: RunRecorder, resumed: boolean): RunHandle {
    const runId = recorder.state.runId;
    const executor = new RunExecutor(recorder, this.#deps, {
      logsDir: join(this.#deps.stateDir, 'runs', runId, 'logs'),
      owner: this.#deps.owner,
      resumed,
      history: this.#history(),
    });
    this.#active.set(runId, { executor, recorder });
    // Start on the next microtask, so whoever called startRun/resumeRun can subscribe first and see
    // every event, `run.started` included.
    const done = Promise.resolve()
      .then(() => this.#afterApproval(recorder, executor))
      .finally(() => this.#active.delete(runId));
    const handle: RunHandle = {
      runId,
      state: recorder.state,
      done,
      subscribe: (listener) => recorder.subscribe(listener),
      subscribeLive: (listener) => recorder.subscribeLive(listener),
    };
    this.#handles.set(runId, handle);
    void done.finally(() => this.#handles.delete(runId)).catch(() => {});
    return handle;
  }

  /**
   * A run awaiting approval waits here for the decision — with no timeout: a plan is never rejected for
   * want of an answer. The decision is recorded in the run's own log by this process, which owns it.
   */
  async #afterApproval(recorder: RunRecorder, executor: RunExecutor): Promise<RunState> {
    if (recorder.state.status === 'awaiting_approval') {
      const decision = await this.#waitForDecision(recorder.state.runId, executor.approvalSignal);
      if (!decision) {
        await recorder.durable();
        return recorder.state;
      }
      if (decision.plan !== undefined) {
        recorder.record({
          type: 'run.plan-replaced',
          data: { plan: decision.plan as PlanDefinition, by: decision.by },
        });
      }
      if (decision.decision === 'rejected') {
        recorder.record({
          type: 'run.rejected',
          data: { by: decision.by, ...(decision.reason !== undefined && { reason: decision.reason }) },
        });
        recorder.record({ type: 'run.finished', data: { status: 'cancelled' } });
        await recorder.durable();
        return recorder.state;
      }
      recorder.record({ type: 'run.approved', data: { by: decision.by } });
    }
    const hooks = this.#deps.hooks;
    if (hooks?.startRun) {
      const { runId, workspace, plan } = recorder.state;
      try {
        const detail = await hooks.startRun({ runId, workspace, plan });
        if (detail) recorder.record({ type: 'run.workspace-prepared', data: { detail } });
      } catch (error) {
        // Without its workspace a run must not start: agents would edit the user's checkout instead.
        recorder.record({
          type: 'run.interrupted',
          data: {
            reason: `could not prepare the run's workspace: ${error instanceof Error ? error.message : String(error)}`,
          },
        });
        await recorder.durable();
        return recorder.state;
      }
    }
    const state = await executor.start();
    if (hooks?.finishRun && terminalRunStatuses.has(state.status)) {
      try {
        const summary = await hooks.finishRun(state);
        if (summary) {
          recorder.record({ type: 'run.workspace-finished', data: { summary } });
          await recorder.durable();
        }
      } catch (error) {
        this.#deps.logger.error('could not wrap up the run workspace', { runId: state.runId, error });
      }
    }
    return state;
  }

  #waitForDecision(runId: string, signal: AbortSignal): Promise<ApprovalDecision | undefined> {
    const { store, clock } = this.#deps;
    return new Promise((resolve) => {
      let cancelTimer = (): void => {};
      const waiters = this.#approvalWaiters.get(runId) ?? new Set<() => void>();
      this.#approvalWaiters.set(runId, waiters);
      const finish = (decision: ApprovalDecision | undefined): void => {
        cancelTimer();
        waiters.delete(check);
        if (waiters.size === 0) this.#approvalWaiters.delete(runId);
        signal.removeEventListener('abort', onAbort);
        resolve(decision);
      };
      const check = (): void => {
        const decision = store.getApproval(runId);
        if (decision) finish(decision);
        else cancelTimer = clock.setTimer(approvalPollMs, check);
      };
      const onAbort = (): void => finish(undefined);
      waiters.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  #load(runId: string): RunState {
    return loadRunState(this.#deps.store, runId);
  }

  #history(): EstimateSource {
    return {
      historicalMedian: (agent, action) => {
        const key = `${agent}\u0000${action}`;
        if (!this.#durationCache.has(key)) {
          this.#durationCache.set(key, median(this.#deps.store.recentDurations(agent, action, 50)));
        }
        return this.#durationCache.get(key);
      },
    };
  }
}

function isOwnerAlive(owner: OwnerIdentity): boolean {
  return isSameProcessAlive(owner);
}

export function isResumable(run: RunRecord): boolean {
  if (run.status === 'interrupted') return true;
  if (run.status !== 'running' && run.status !== 'paused' && run.status !== 'awaiting_approval') return false;
  return run.owner === null || !isOwnerAlive(run.owner);
}
