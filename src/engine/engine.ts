/**
 * The engine API every front end calls: create, start, resume, pause, stop and cancel runs, and read
 * their state. It owns no state of its own beyond the live runs; everything else is in the store.
 */
import { join } from 'node:path';
import { isSameProcessAlive } from '../agents/process/proc-table.js';
import type { AgentRegistry } from '../agents/registry.js';
import { ProviderBackoff } from '../limits/provider-backoff.js';
import type { SlotPool } from '../limits/slot-pool.js';
import type { Budget, PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import type { EventStore, OwnerIdentity, RunRecord } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import { createRunId } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import { ApprovalLog } from './approval-log.js';
import { appendBudgetSet, spendHistoryOf } from './budget/budget-log.js';
import { forecastPlan, type PlanForecast } from './budget/forecast.js';
import type { PriceTable } from './budget/price-table.js';
import { mergeBudget } from './budget/spend.js';
import { EventDecoder } from './decode-events.js';
import { type EngineObservers, observeRun } from './engine-observers.js';
import type { ApprovalDecisionData, RunEvent } from './events.js';
import { loadRunState } from './load-run-state.js';
import { applyEvent, createRunState } from './projection.js';
import { recoverRunningSteps } from './recover-steps.js';
import { isResumable } from './resumable.js';
import { failedAndBlocked, recordRetry, selectStepsToRetry } from './retry-selection.js';
import { RunExecutor, type StopMode } from './run-executor.js';
import { type RunHandle, RunHandles, type RunStartedListener } from './run-handles.js';
import { type LeaseSettings, RunLeaseKeeper } from './run-lease-keeper.js';
import { RunRecorder } from './run-recorder.js';
import { hasEnded, type RunState, stepsStillToRun, terminalRunStatuses } from './run-state.js';
import { finishRunWorkspace, prepareRunWorkspace } from './run-workspace-stage.js';
import { durationHistory, type EstimateSource } from './scheduler/critical-path.js';
import type { StepHooks } from './step-hooks.js';

export interface EngineDeps extends EngineObservers {
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
  /**
   * The one pre-flight of every start (create, start, resume, approve, retry, from any front end): throws an
   * `InputError` naming what cannot run here and the fix (an agent `doctor` calls unusable, a step to review
   * with no reviewer), before anything is claimed or run. `steps` are the ones still to run.
   */
  preflight?(plan: PlanDefinition, steps: readonly StepDefinition[]): void;
  /** How long a run's lease lasts and how often it is renewed; `defaultLeaseSettings` when absent. */
  lease?: LeaseSettings;
  /** Prices of token-only agents' models: the shipped table with the configuration's `prices:` on top. */
  prices?: PriceTable;
  /** The budget of runs whose plan sets none (the configuration's `budget:`). */
  defaultBudget?: Budget;
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

/** A decision on a plan; an edited `plan` (validated by the caller) runs instead of the proposed one. */
export type ApprovalInput = ApprovalDecisionData;

/** What came of a decision, and where an approved run executes. */
export type DecisionOutcome =
  | { counted: false }
  | { counted: true; decision: 'rejected' }
  /** Executing in this process: it waited here, or nobody waited and this process started it. */
  | { counted: true; decision: 'approved'; runsIn: 'this-process'; handle: RunHandle }
  /** Another live process waited for the decision and runs it. */
  | { counted: true; decision: 'approved'; runsIn: 'waiting-process'; pid: number }
  /** Nobody waited and the caller asked not to start it here: `resume` starts it. */
  | { counted: true; decision: 'approved'; runsIn: 'not-started' };

export type { RunHandle } from './run-handles.js';

export const defaultConcurrency = 4;

export class Engine {
  readonly #deps: EngineDeps & { providers: ProviderBackoff };
  readonly #active = new Map<string, { executor: RunExecutor; recorder: RunRecorder }>();
  readonly #history: EstimateSource;
  /** Runs created here and not started yet: their state is already built, so start need not replay it. */
  readonly #created = new Map<string, RunState>();
  readonly #handles: RunHandles;
  readonly #approvals: ApprovalLog;
  readonly #leases: RunLeaseKeeper;
  /** Events of a type this version does not know are kept in the run's sequence and change nothing. */
  readonly #decoder: EventDecoder;

  constructor(deps: EngineDeps) {
    this.#deps = { ...deps, providers: deps.providers ?? ProviderBackoff.perAgent(deps) };
    this.#decoder = new EventDecoder(deps.logger, deps.store.location);
    this.#handles = new RunHandles(deps.logger);
    this.#approvals = new ApprovalLog(deps.store, deps.clock, this.#decoder);
    this.#history = durationHistory(deps.store);
    this.#leases = new RunLeaseKeeper({ ...deps, leases: deps.store.leases, isAlive: isSameProcessAlive });
  }

  /** Records a new run durably (status `pending`); nothing runs until `startRun`. */
  createRun(input: CreateRunOptions): RunState {
    const { clock, store, defaultBudget: budget } = this.#deps;
    // The configured default budget travels in the plan, so every view and a resume anywhere see it.
    const options = input.plan.budget || !budget ? input : { ...input, plan: { ...input.plan, budget } };
    this.#deps.preflight?.(options.plan, options.plan.steps);
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
    this.#preflight(state);
    this.#leases.claim(runId);
    if (!this.#deps.store.claimRun(runId, null, this.#deps.owner)) {
      this.#leases.release(runId);
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
    if (hasEnded(record.status)) {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} already ended (${record.status}); nothing to resume`,
      );
    }
    if (this.#active.has(runId)) {
      throw new InputError('RUN_OWNED', `run ${runId} is being executed by this process already`);
    }
    const state = this.#load(runId);
    this.#preflight(state);
    this.#leases.takeOver(record);
    return this.#leases.releasedOnFailure(runId, async () => {
      if (!this.#deps.store.claimRun(runId, record.owner, this.#deps.owner)) {
        throw new InputError('RUN_OWNED', `run ${runId} was resumed by another ai-collab process just now`);
      }
      const recorder = new RunRecorder(this.#deps.store, this.#deps.clock, state);
      const previous = record.owner ? ` (pid ${record.owner.pid})` : '';
      await recoverRunningSteps(recorder, {
        clock: this.#deps.clock,
        killGraceMs: this.#deps.killGraceMs,
        reason: `the orchestrator${previous} stopped while the step ran`,
      });
      return this.#execute(recorder, true);
    });
  }

  /**
   * A person's decision on a run awaiting approval, from any front end and any process, appended to the
   * run's log as `run.approval-decided`. Exactly one decision counts: the store appends only while the run
   * awaits approval. Returns whether it was this one. An approval passes the pre-flight first.
   */
  decide(runId: string, input: ApprovalInput): boolean {
    const record = this.#deps.store.getRun(runId);
    if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    // From the log, not a live state here: another process may have decided a moment ago.
    const state = this.#load(runId);
    if (record.status !== 'awaiting_approval') {
      // Someone decided first: that decision stands, and this one is not counted.
      if (state.approvedBy !== undefined || state.rejected !== undefined) return false;
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} is not waiting for approval (it is ${record.status})`,
      );
    }
    if (input.decision === 'approved') {
      const plan = input.plan ?? state.plan;
      this.#deps.preflight?.(plan, plan.steps);
    }
    const counted = this.#approvals.record(runId, {
      decision: input.decision,
      by: input.by,
      ...(input.reason !== undefined && { reason: input.reason }),
      ...(input.plan !== undefined && { plan: input.plan }),
    });
    // A run created here and not started yet is read again from the log when it starts.
    if (counted) this.#created.delete(runId);
    return counted;
  }

  /**
   * The one rule every front end follows: records the decision, then sees an approved run executed exactly
   * once — by the process already waiting for it if there is one (this or another), otherwise here, now
   * (unless `start` is false: the run is then left for `resume`).
   */
  async decideRun(
    runId: string,
    input: ApprovalInput,
    options: { start: boolean } = { start: true },
  ): Promise<DecisionOutcome> {
    if (!this.decide(runId, input)) return { counted: false };
    if (input.decision === 'rejected') return { counted: true, decision: 'rejected' };
    const waitingHere = this.#handles.get(runId);
    if (waitingHere)
      return { counted: true, decision: 'approved', runsIn: 'this-process', handle: waitingHere };
    const owner = this.#deps.store.getRun(runId)?.owner;
    if (owner && isSameProcessAlive(owner)) {
      return { counted: true, decision: 'approved', runsIn: 'waiting-process', pid: owner.pid };
    }
    if (!options.start) return { counted: true, decision: 'approved', runsIn: 'not-started' };
    try {
      const handle = await this.resumeRun(runId);
      return { counted: true, decision: 'approved', runsIn: 'this-process', handle };
    } catch (error) {
      // Another process took the run at the same moment: that one carries the approval out.
      const taker = this.#deps.store.getRun(runId)?.owner;
      if (error instanceof InputError && error.code === 'RUN_OWNED' && taker) {
        return { counted: true, decision: 'approved', runsIn: 'waiting-process', pid: taker.pid };
      }
      throw error;
    }
  }

  /**
   * Runs a failed, blocked, cancelled or conflicted step again with a fresh retry budget. A run still going
   * in this process takes it at once; a finished run is reopened and executed by this process.
   */
  async retryStep(runId: string, stepId: string, by: string): Promise<RunHandle | undefined> {
    return this.retrySteps(runId, [stepId], by);
  }

  /**
   * `retryStep` for several steps at once — or, with none named, every failed and blocked step of the run
   * (a blocked one comes back with the failure it waited on). Each is recorded as `step.retry-requested`.
   */
  async retrySteps(
    runId: string,
    stepIds: readonly string[],
    by: string,
    options: { start: boolean } = { start: true },
  ): Promise<RunHandle | undefined> {
    const active = this.#active.get(runId);
    if (active) {
      const ids = stepIds.length > 0 ? stepIds : failedAndBlocked(active.recorder.state);
      for (const stepId of ids) {
        if (!active.executor.retryStep(stepId, by)) {
          throw new InputError('RUN_NOT_RESUMABLE', `step ${stepId} of run ${runId} cannot be retried now`);
        }
      }
      return undefined;
    }
    const record = this.#deps.store.getRun(runId);
    if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    const state = this.#load(runId);
    const ids = selectStepsToRetry(state, stepIds);
    this.#preflight(state);
    this.#leases.takeOver(record);
    return this.#leases.releasedOnFailure(runId, async () => {
      if (!this.#deps.store.claimRun(runId, record.owner, this.#deps.owner)) {
        throw new InputError('RUN_OWNED', `run ${runId} was taken by another ai-collab process just now`);
      }
      const recorder = new RunRecorder(this.#deps.store, this.#deps.clock, state);
      recordRetry(recorder, ids, by);
      if (options.start) return this.#execute(recorder, true);
      // Left for `resume`: an interrupted run with its steps brought back, and no owner.
      recorder.record({
        type: 'run.interrupted',
        data: { reason: `${by} asked for a retry; resume starts it` },
      });
      await recorder.durable();
      this.#leases.release(runId);
      return undefined;
    });
  }

  /** Sets (raises) a run's budget from any front end: at once if it runs here, else logged and resumed here. */
  async setBudget(runId: string, change: Budget, by: string, options = { start: true }) {
    const active = this.#active.get(runId);
    if (active?.executor.setBudget(mergeBudget(active.recorder.state.budget, change), by)) return undefined;
    if (active) throw new InputError('RUN_NOT_RESUMABLE', `run ${runId} is ending; its budget is final`);
    appendBudgetSet(this.#deps, runId, { change, by, load: () => this.#load(runId) });
    return options.start ? this.resumeRun(runId) : undefined;
  }

  /** What the steps will likely cost, from the spend of past steps of the same agent and action. */
  forecast(steps: readonly StepDefinition[]): PlanForecast {
    return forecastPlan(steps, spendHistoryOf(this.#deps.store));
  }

  /** A run executing in this process, to follow its events live. */
  activeRun(runId: string): RunHandle | undefined {
    return this.#handles.get(runId);
  }

  /** Tells `listener` the moment a run starts executing in this process (`activeRun` has it by then). */
  onRunStarted(listener: RunStartedListener): () => void {
    return this.#handles.onStarted(listener);
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
      history: this.#history,
      spendHistory: spendHistoryOf(this.#deps.store),
    });
    this.#active.set(runId, { executor, recorder });
    observeRun(this.#deps, recorder, this.#decoder);
    // Renewed while the run is here, approval wait included; lost, it stops the run at once.
    const stopRenewing = this.#leases.keep(runId, (reason) => executor.stop('immediate', reason));
    // Start on the next microtask: whoever called startRun/resumeRun subscribes first, sees run.started.
    const done = Promise.resolve()
      .then(() => this.#afterApproval(recorder, executor))
      .finally(() => {
        stopRenewing();
        this.#active.delete(runId);
      });
    const handle: RunHandle = {
      runId,
      state: recorder.state,
      done,
      subscribe: (listener) => recorder.subscribe(listener),
      subscribeLive: (listener) => recorder.subscribeLive(listener),
    };
    this.#handles.add(handle);
    return handle;
  }

  /**
   * A run awaiting approval waits here for the decision — with no timeout: a plan is never rejected for
   * want of an answer. The decision is an event some front end (of any process) appended to the log; this
   * process, which owns the run, adopts it and carries it out.
   */
  async #afterApproval(recorder: RunRecorder, executor: RunExecutor): Promise<RunState> {
    if (recorder.state.status === 'awaiting_approval') {
      const decided = await this.#approvals.wait(recorder, executor.approvalSignal);
      if (!decided) {
        await recorder.durable();
        return recorder.state;
      }
      // A rejection ends the run in the log itself.
      if (recorder.state.rejected) return recorder.state;
      try {
        this.#preflight(recorder.state);
      } catch (error) {
        // Approved, but it cannot run here (an edited plan's agent, say): it waits for a resume that can.
        recorder.record({
          type: 'run.interrupted',
          data: { reason: error instanceof Error ? error.message : String(error) },
        });
        await recorder.durable();
        return recorder.state;
      }
    }
    if (!(await prepareRunWorkspace(this.#deps.hooks, recorder))) return recorder.state;
    const state = await executor.start();
    if (terminalRunStatuses.has(state.status))
      await finishRunWorkspace(this.#deps.hooks, recorder, this.#deps.logger);
    return state;
  }

  /** The pre-flight for the steps of `state` still to run. */
  #preflight(state: RunState): void {
    this.#deps.preflight?.(state.plan, stepsStillToRun(state));
  }

  #load(runId: string): RunState {
    return loadRunState(this.#deps.store, runId, this.#decoder);
  }
}
