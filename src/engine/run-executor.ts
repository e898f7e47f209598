/**
 * Runs one run's DAG: a ready step starts the moment its last dependency succeeds and a slot is free (the
 * slot pool gives turns round-robin across runs), highest critical path first; failures retry with backoff or block only their dependents; pause, stop
 * (graceful or immediate) and cancel leave the log consistent and the run resumable.
 */

import type { AgentRegistry } from '../agents/registry.js';
import type { ProviderBackoff } from '../limits/provider-backoff.js';
import type { SlotPool } from '../limits/slot-pool.js';
import type { Budget, StepDefinition } from '../protocol/plan-types.js';
import type { OwnerIdentity } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { AttemptReleases } from './attempt-releases.js';
import type { SpendHistory } from './budget/forecast.js';
import type { PriceTable } from './budget/price-table.js';
import { RunBudget } from './budget/run-budget.js';
import { everyStepSucceeded } from './choice/cancel-candidates.js';
import { pickCandidate } from './choice/pick-candidate.js';
import { StepFailover } from './choice/step-failover.js';
import { retriableStatuses } from './retry-selection.js';
import type { RunRecorder } from './run-recorder.js';
import { type RunState, settledStepStatuses } from './run-state.js';
import { bottomLevels, type EstimateSource, estimateFor } from './scheduler/critical-path.js';
import { ReadyQueue } from './scheduler/ready-queue.js';
import { type SettleHost, settleAttempt } from './settle-attempt.js';
import { type AttemptOutcome, StepAttempt } from './step-attempt.js';
import type { StepHooks } from './step-hooks.js';

export interface ExecutorDeps {
  clock: Clock;
  logger: Logger;
  random: () => number;
  agents: AgentRegistry;
  slots: SlotPool;
  /** A rate-limited step, and every step on its provider, waits for the provider. */
  providers: ProviderBackoff;
  /** Workspace isolation and the review / merge stages, from the pipeline rooms. */
  hooks?: StepHooks;
  /** Prices of token-only agents' models (the shipped table with the configuration's on top). */
  prices?: PriceTable;
}

export interface ExecutorOptions {
  logsDir: string;
  owner: OwnerIdentity;
  resumed: boolean;
  history?: EstimateSource;
  /** Past steps' spend, for the forecasts the budget is checked with. */
  spendHistory?: SpendHistory;
}

export type StopMode = 'graceful' | 'immediate';

export class RunExecutor {
  readonly #deps: ExecutorDeps;
  readonly #options: ExecutorOptions;
  readonly #recorder: RunRecorder;
  readonly #queue = new ReadyQueue();
  readonly #running = new Map<string, StepAttempt>();
  readonly #retryTimers = new Map<string, () => void>();
  /** Why a candidate was cancelled on its own (another was picked first), for its `step.cancelled`. */
  readonly #cancelReasons = new Map<string, string>();
  readonly #failover: StepFailover;
  /** Wakes the pump when a paused provider may be called again. */
  #providerWake: { at: number; cancel: () => void } | undefined;
  #priorities = new Map<string, number>();
  #planIndex = new Map<string, number>();
  #paused = false;
  #stop: { mode: StopMode; reason: string } | undefined;
  #cancelled = false;
  #failFastTripped = false;
  #fatal: unknown;
  #finishing = false;
  #unsubscribeSlots: () => void = () => {};
  #unsubscribeLive: () => void = () => {};
  readonly #budget: RunBudget;
  readonly #releases: AttemptReleases;
  readonly #settleHost: SettleHost;
  #budgetPaused = false; // paused at its budget: this executor is done with the run
  readonly #approvalWait = new AbortController();
  #started = false;
  #settle!: { resolve: (state: RunState) => void; reject: (error: unknown) => void };
  readonly done: Promise<RunState>;

  constructor(recorder: RunRecorder, deps: ExecutorDeps, options: ExecutorOptions) {
    this.#recorder = recorder;
    this.#deps = deps;
    this.#options = options;
    this.#failover = new StepFailover({
      recorder,
      clock: deps.clock,
      agents: deps.agents,
      definitionOf: (id) => this.state.plan.steps[this.#planIndex.get(id) ?? -1],
    });
    this.#budget = RunBudget.forRun(deps, options.spendHistory);
    this.#releases = new AttemptReleases(recorder, deps.logger);
    this.#settleHost = {
      recorder,
      deps,
      failover: this.#failover,
      budget: this.#budget,
      isStopping: () => this.#isStopping(),
      stopReason: () => this.#stop?.reason,
      cancelReason: (id) => this.#cancelReasons.get(id),
      enqueue: (id) => this.#enqueue(id),
      scheduleRetry: (id, delayMs) => this.#scheduleRetry(id, delayMs),
      cancelCandidate: (id, reason) => this.#cancelCandidate(id, reason),
      addStep: (step, resolves) => this.#addStep(step, resolves),
      tripFailFast: () => {
        this.#failFastTripped = true;
      },
    };
    this.done = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  get state(): RunState {
    return this.#recorder.state;
  }

  /** Aborted when waiting for approval should end without a decision (stop or cancel before approval). */
  get approvalSignal(): AbortSignal {
    return this.#approvalWait.signal;
  }

  /** Starts (or, after a crash, continues) the run. Steps recorded as running must have been recovered first. */
  start(): Promise<RunState> {
    this.#started = true;
    const plan = this.state.plan;
    for (const [index, step] of plan.steps.entries()) this.#planIndex.set(step.id, index);
    this.#priorities = bottomLevels(plan.steps, (step) => estimateFor(step, this.#options.history));
    this.#recorder.record({
      type: 'run.started',
      data: { owner: this.#options.owner, resumed: this.#options.resumed },
    });
    for (const id of this.state.order) {
      const step = this.state.steps[id];
      if (!step) continue;
      if (step.status === 'ready' || step.status === 'interrupted') this.#enqueue(id);
      else if (step.status === 'retrying')
        this.#scheduleRetry(id, Math.max(0, (step.retryAt ?? 0) - this.#deps.clock.now()));
    }
    this.#unsubscribeSlots = this.#deps.slots.join({ key: this.state.runId, startOne: this.#startOne });
    this.#unsubscribeLive = this.#budget.watch(this.#recorder, (stepId) => this.#running.get(stepId));
    this.#pump();
    return this.done;
  }

  /** A person set (raised) the budget while the run goes here: steps held back by the old one may start. */
  setBudget(budget: Budget, by: string): boolean {
    if (this.#finishing || this.#isStopping()) return false;
    this.#recorder.record({ type: 'run.budget-set', data: { budget, by } });
    this.#pump();
    return true;
  }

  pause(): void {
    if (this.#paused || this.#isStopping()) return;
    this.#paused = true;
    this.#recorder.record({ type: 'run.paused', data: {} });
  }

  resume(): void {
    if (!this.#paused || this.#isStopping()) return;
    this.#paused = false;
    this.#recorder.record({ type: 'run.resumed', data: {} });
    this.#pump();
  }

  /**
   * Stops starting steps. `graceful` lets running steps finish (the caller bounds how long);
   * `immediate` kills them now. Either way the run ends `interrupted` and can be resumed.
   */
  stop(mode: StopMode, reason = 'interrupted by the user'): void {
    if (this.#cancelled || this.#finishing) return;
    if (this.#stop?.mode === 'immediate') return;
    this.#stop = { mode, reason };
    this.#approvalWait.abort();
    this.#clearRetryTimers();
    if (mode === 'immediate') for (const attempt of this.#running.values()) attempt.abort('interrupt');
    this.#checkDone();
  }

  /** Runs a failed (or blocked, cancelled, conflicted) step again while the run is still going. */
  retryStep(stepId: string, by: string): boolean {
    if (this.#finishing || this.#isStopping()) return false;
    const step = this.state.steps[stepId];
    if (!step || !retriableStatuses.has(step.status)) return false;
    this.#recorder.record({ type: 'step.retry-requested', data: { stepId, by } });
    if (this.state.steps[stepId]?.status === 'ready') this.#enqueue(stepId);
    this.#pump();
    return true;
  }

  /** Cancels the run for good: running steps are killed, nothing else starts, the run ends `cancelled`. */
  cancel(): void {
    if (this.#finishing) return;
    this.#cancelled = true;
    this.#clearRetryTimers();
    for (const attempt of this.#running.values()) attempt.abort('cancel');
    this.#checkDone();
  }

  readonly #hasRoom = (agent: string): boolean => {
    if (!this.#deps.slots.hasRoom(agent)) return false;
    const resumesAt = this.#deps.providers.resumesAt(agent);
    if (resumesAt <= this.#deps.clock.now()) return true;
    this.#wakeAt(resumesAt);
    return false;
  };

  /** Steps held back by a paused provider start when it may be called again. */
  #wakeAt(at: number): void {
    if (this.#providerWake && this.#providerWake.at <= at) return;
    this.#providerWake?.cancel();
    const cancel = this.#deps.clock.setTimer(at - this.#deps.clock.now(), () => {
      this.#providerWake = undefined;
      this.#pump();
    });
    this.#providerWake = { at, cancel };
  }

  #isStopping(): boolean {
    return this.#stop !== undefined || this.#cancelled || this.#failFastTripped || this.#fatal !== undefined;
  }

  #enqueue(id: string): void {
    // Not queued behind a parked agent's pause: moved to a fallback, or parked until the reset.
    const parkedUntil = this.#failover.onReady(id);
    const step = this.state.steps[id];
    if (parkedUntil !== undefined) this.#scheduleRetry(id, parkedUntil - this.#deps.clock.now());
    if (!step || parkedUntil !== undefined) return;
    this.#queue.push({
      id,
      agent: step.agent,
      priority: this.#priorities.get(id) ?? 0,
      order: this.#planIndex.get(id) ?? 0,
    });
  }

  /** Room may have appeared for this run: the pool shares it out fairly, then the run checks whether it is done. */
  #pump(): void {
    if (!this.#holding() && !this.#isStopping()) this.#deps.slots.dispatch();
    this.#checkDone();
  }

  #holding(): boolean {
    return this.#paused || this.#budgetPaused || this.#finishing;
  }

  /** The pool's turn for this run: starts its most critical ready step that may start now, if any. */
  readonly #startOne = (): boolean => {
    if (this.#holding() || this.#isStopping()) return false;
    if (this.#running.size >= this.state.concurrency) return false;
    const entry = this.#queue.take(this.#hasRoom);
    if (!entry) return false;
    if (!this.#fitsBudget(entry.id)) {
      this.#enqueue(entry.id); // back in line: it starts once running steps leave room
      if (this.#running.size === 0) this.#pauseAtBudget();
      return false;
    }
    this.#launch(entry.id, this.#deps.slots.acquire(entry.agent));
    return true;
  };

  #fitsBudget(id: string): boolean {
    const definition = this.state.plan.steps[this.#planIndex.get(id) ?? -1];
    const running = [...this.#running.values()].map((attempt) => attempt.step);
    return !definition || this.#budget.admits(this.state, definition, running);
  }

  /** Nothing runs and the next step does not fit: the run pauses; retry timers go (a resume re-arms them). */
  #pauseAtBudget(): void {
    this.#budgetPaused = true;
    this.#clearRetryTimers();
    this.#budget.recordReached(this.#recorder, this.#queue.size + this.state.counts.retrying);
    // Called from the pool's turn: the run leaves the pool once that turn is over, not in its middle.
    queueMicrotask(() => this.#checkDone());
  }

  #launch(id: string, releaseSlot: () => void): void {
    const planned = this.state.plan.steps[this.#planIndex.get(id) ?? -1];
    const step = this.state.steps[id];
    // A candidate cancelled while queued (another was picked first) has nothing left to do.
    if (!planned || !step || settledStepStatuses.has(step.status)) {
      releaseSlot();
      return;
    }
    if (this.#failover.beforeStart(id)) {
      this.#enqueue(id);
      releaseSlot();
      return;
    }
    // After a failover the step runs on the agent the log gave it.
    const definition = step.agent === planned.agent ? planned : { ...planned, agent: step.agent };
    const attempt = new StepAttempt(definition, step.attempts + 1);
    this.#running.set(id, attempt);
    const agent = this.#deps.agents.get(definition.agent);
    const outcome: Promise<AttemptOutcome> = definition.pick
      ? pickCandidate(definition, attempt.attempt, {
          recorder: this.#recorder,
          clock: this.#deps.clock,
          workspace: this.state.workspace,
          signal: attempt.signal,
          ...(this.#deps.hooks && { hooks: this.#deps.hooks }),
        })
      : agent
        ? attempt.run(agent, {
            recorder: this.#recorder,
            clock: this.#deps.clock,
            logger: this.#deps.logger,
            logsDir: this.#options.logsDir,
            workspace: this.state.workspace,
            ...agentTimeout(this.#deps.agents.timeoutOf(definition.agent)),
            ...(this.#deps.hooks && { hooks: this.#deps.hooks }),
            ...(step.feedback !== undefined && { feedback: step.feedback }),
            // Its previous attempt has no logged outcome: a remote agent may take its work over.
            ...(step.status === 'interrupted' && { interruptedAttempt: step.attempts }),
            overBudget: (usage) => this.#budget.overCapWith(definition, usage),
          })
        : Promise.resolve({
            kind: 'failed',
            durationMs: 0,
            failure: {
              code: 'AGENT_UNAVAILABLE',
              kind: 'permanent',
              message:
                this.#deps.agents.unavailableReason(definition.agent) ??
                `agent "${definition.agent}" is not available`,
            },
          });
    outcome
      .then((result) => {
        settleAttempt(this.#settleHost, id, attempt, result);
        this.#releases.after(definition.pick ? undefined : agent, attempt, result);
      })
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#running.delete(id);
        this.#budget.settled(id);
        // Giving the slot back hands the free slots out (this run's new ready steps included).
        releaseSlot();
        this.#checkDone();
      });
  }

  /** `pick: first`: a candidate still going stops (a running one is killed) once another passed. */
  #cancelCandidate(id: string, reason: string): void {
    this.#cancelReasons.set(id, reason);
    const running = this.#running.get(id);
    if (running) {
      running.abort('cancel');
      return;
    }
    this.#retryTimers.get(id)?.();
    this.#retryTimers.delete(id);
    this.#recorder.record({ type: 'step.cancelled', data: { stepId: id, reason } });
  }

  /** A step added while the run goes (a conflict's resolution): recorded, prioritised, scheduled. */
  #addStep(step: StepDefinition, resolves: string): void {
    this.#recorder.record({ type: 'step.added', data: { step, resolves } });
    this.#planIndex.set(step.id, this.state.plan.steps.length - 1);
    this.#priorities.set(step.id, estimateFor(step, this.#options.history));
  }

  #scheduleRetry(id: string, delayMs: number): void {
    const cancel = this.#deps.clock.setTimer(delayMs, () => {
      this.#retryTimers.delete(id);
      if (this.#isStopping()) return;
      this.#enqueue(id);
      this.#pump();
    });
    this.#retryTimers.set(id, cancel);
  }

  #clearRetryTimers(): void {
    for (const cancel of this.#retryTimers.values()) cancel();
    this.#retryTimers.clear();
    this.#providerWake?.cancel();
    this.#providerWake = undefined;
  }

  #fail(error: unknown): void {
    if (this.#fatal !== undefined) return;
    this.#deps.logger.warn('run stopped: the state store failed', { runId: this.state.runId, error });
    this.#fatal = error;
    this.#clearRetryTimers();
    for (const attempt of this.#running.values()) attempt.abort('interrupt');
  }

  #checkDone(): void {
    // Before start (a run still waiting for approval) there is nothing to finish.
    if (!this.#started || this.#finishing || this.#running.size > 0) return;
    // Paused at its budget, the run is done here (`run.budget-reached` says why): it ends like a stop.
    const pausedAtBudget = this.#budgetPaused && !this.#isStopping();
    const idle = this.#queue.size === 0 && this.#retryTimers.size === 0;
    if (!pausedAtBudget && !this.#isStopping() && (this.#paused || !idle)) return;
    this.#finishing = true;
    this.#unsubscribeSlots();
    this.#unsubscribeLive();
    this.#clearRetryTimers();
    this.#queue.drain();
    if (this.#fatal !== undefined) {
      this.#settle.reject(this.#fatal);
      return;
    }
    if (!pausedAtBudget) this.#recordEnd();
    this.#recorder
      .durable()
      .then(() => this.#releases.done())
      .then(
        () => this.#settle.resolve(this.state),
        (error: unknown) => this.#settle.reject(error),
      );
  }

  #recordEnd(): void {
    const recorder = this.#recorder;
    if (this.#stop && !this.#cancelled) {
      recorder.record({ type: 'run.interrupted', data: { reason: this.#stop.reason } });
      return;
    }
    if (this.#cancelled || this.#failFastTripped) {
      const reason = this.#cancelled ? 'run cancelled' : 'not started: --fail-fast after a failure';
      for (const id of this.state.order) {
        const status = this.state.steps[id]?.status;
        if (status && !settledStepStatuses.has(status))
          recorder.record({ type: 'step.cancelled', data: { stepId: id, reason } });
      }
      recorder.record({ type: 'run.finished', data: { status: this.#cancelled ? 'cancelled' : 'failed' } });
      return;
    }
    const allSucceeded = everyStepSucceeded(this.state);
    recorder.record({ type: 'run.finished', data: { status: allSucceeded ? 'succeeded' : 'failed' } });
  }
}

function agentTimeout(timeoutMs: number | undefined): { agentTimeoutMs?: number } {
  return timeoutMs === undefined ? {} : { agentTimeoutMs: timeoutMs };
}
