/**
 * Runs one run's DAG: a ready step starts the moment its last dependency succeeds and a slot is free (the
 * slot pool gives turns round-robin across runs), highest critical path first; failures retry with backoff or block only their dependents; pause, stop
 * (graceful or immediate) and cancel leave the log consistent and the run resumable.
 */

import type { StepFailure } from '../agents/agent.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { ProviderBackoff } from '../limits/provider-backoff.js';
import type { SlotPool } from '../limits/slot-pool.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { OwnerIdentity } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { capText, maxOutputChars } from './attempt-record.js';
import { candidatesToCancel, everyStepSucceeded } from './choice/cancel-candidates.js';
import { pickCandidate } from './choice/pick-candidate.js';
import { parkUntil, StepFailover } from './choice/step-failover.js';
import { toErrorInfo } from './error-info.js';
import { reportRateLimit, retryDelay } from './retry-policy.js';
import { retriableStatuses } from './retry-selection.js';
import type { RunRecorder } from './run-recorder.js';
import { type RunState, settledStepStatuses } from './run-state.js';
import { bottomLevels, type EstimateSource, estimateFor } from './scheduler/critical-path.js';
import { ReadyQueue } from './scheduler/ready-queue.js';
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
}

export interface ExecutorOptions {
  logsDir: string;
  owner: OwnerIdentity;
  resumed: boolean;
  history?: EstimateSource;
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
    this.#pump();
    return this.done;
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
    if (!this.#paused && !this.#isStopping() && !this.#finishing) this.#deps.slots.dispatch();
    this.#checkDone();
  }

  /** The pool's turn for this run: starts its most critical ready step that may start now, if any. */
  readonly #startOne = (): boolean => {
    if (this.#paused || this.#isStopping() || this.#finishing) return false;
    if (this.#running.size >= this.state.concurrency) return false;
    const entry = this.#queue.take(this.#hasRoom);
    if (!entry) return false;
    this.#launch(entry.id, this.#deps.slots.acquire(entry.agent));
    return true;
  };

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
      .then((result) => this.#settleAttempt(id, attempt, result))
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#running.delete(id);
        // Giving the slot back hands the free slots out (this run's new ready steps included).
        releaseSlot();
        this.#checkDone();
      });
  }

  #settleAttempt(id: string, attempt: StepAttempt, outcome: AttemptOutcome): void {
    const recorder = this.#recorder;
    const data = { stepId: id, attempt: attempt.attempt };
    if (outcome.kind === 'succeeded') {
      const { agent, action } = attempt.step;
      this.#deps.providers.succeeded(agent);
      recorder.record(
        {
          type: 'step.succeeded',
          data: {
            ...data,
            durationMs: outcome.durationMs,
            ...(outcome.output !== '' && { output: capText(outcome.output, maxOutputChars) }),
            ...(outcome.usage && { usage: outcome.usage }),
            ...(outcome.sessionId && { sessionId: outcome.sessionId }),
            ...(outcome.filesChanged && { filesChanged: outcome.filesChanged.slice(0, 1_000) }),
            ...(outcome.change && {
              startCommit: outcome.change.startCommit,
              resultCommit: outcome.change.resultCommit,
            }),
          },
        },
        {
          agent,
          action: action ?? 'execute',
          durationMs: outcome.durationMs,
          finishedAt: this.#deps.clock.now(),
        },
      );
      for (const sibling of candidatesToCancel(this.state, id))
        this.#cancelCandidate(sibling.id, sibling.reason);
      const resolves = this.state.steps[id]?.resolves;
      if (resolves !== undefined)
        recorder.record({ type: 'step.resolved', data: { stepId: resolves, by: id } });
      for (const done of resolves === undefined ? [id] : [id, resolves]) {
        for (const dependent of this.state.steps[done]?.dependents ?? []) {
          if (this.state.steps[dependent]?.status === 'ready') this.#enqueue(dependent);
        }
      }
      return;
    }
    if (outcome.kind === 'stopped') {
      const reason = this.#cancelReasons.get(id) ?? 'run cancelled';
      if (outcome.reason !== 'cancel')
        recorder.record({
          type: 'step.interrupted',
          data: { ...data, reason: this.#stop?.reason ?? 'interrupted' },
        });
      else recorder.record({ type: 'step.cancelled', data: { stepId: id, reason } });
      this.#enqueueReadyPick(id);
      return;
    }
    if (outcome.kind === 'conflicted') {
      const resolution = outcome.resolution;
      if (resolution) this.#addStep(resolution, id);
      recorder.record({
        type: 'step.conflicted',
        data: {
          ...data,
          files: outcome.files,
          message: outcome.message,
          ...(resolution && { resolvedBy: resolution.id }),
        },
      });
      if (resolution) {
        if (this.state.steps[resolution.id]?.status === 'ready') this.#enqueue(resolution.id);
      } else if (this.state.failFast) this.#failFastTripped = true;
      return;
    }
    const failure: StepFailure =
      outcome.kind === 'rejected'
        ? {
            code: 'REVIEW_REJECTED',
            kind: 'transient',
            message: `rejected by the reviewers: ${outcome.reason}`,
          }
        : outcome.failure;
    // Every 429 pauses the provider for all its steps, also one this step has no retry left for.
    const providerResumesAt = reportRateLimit(attempt.step, failure, this.#deps.providers);
    const feedback =
      outcome.kind === 'rejected' || outcome.feedback !== undefined ? { feedback: outcome.feedback } : {};
    const error = toErrorInfo(failure);
    const step = this.state.steps[id];
    const now = this.#deps.clock.now();
    if (!this.#isStopping() && this.#failover.afterFailure(id, failure)) {
      this.#enqueue(id);
      return;
    }
    if (failure.kind === 'usage-limit' && !this.#isStopping()) {
      // A subscription's usage limit is not the step's fault: wait for the reset, spend no retry.
      const until = parkUntil(failure, now);
      const window = failure.limitWindow !== undefined ? { window: failure.limitWindow } : {};
      const parked = { ...data, until, reason: failure.message, agent: attempt.step.agent, ...window };
      recorder.record({ type: 'step.parked', data: parked });
      this.#scheduleRetry(id, until - now);
      return;
    }
    const spent = (step?.failures ?? 0) - (step?.failuresBeforeRetry ?? 0);
    const retriesLeft = attempt.step.retries - spent;
    if (failure.kind !== 'permanent' && retriesLeft > 0 && !this.#isStopping()) {
      const delay = retryDelay(attempt.step, failure, spent + 1, providerResumesAt, this.#deps);
      recorder.record({
        type: 'step.attempt-failed',
        data: {
          ...data,
          error,
          retryAt: this.#deps.clock.now() + delay,
          ...(outcome.usage && { usage: outcome.usage }),
          ...feedback,
        },
      });
      this.#scheduleRetry(id, delay);
      return;
    }
    recorder.record({
      type: 'step.failed',
      data: { ...data, error, ...(outcome.usage && { usage: outcome.usage }) },
    });
    this.#enqueueReadyPick(id);
    if (this.state.failFast && this.state.steps[id]?.candidateOf === undefined) this.#failFastTripped = true;
  }

  /** A candidate that ended without passing may leave its best-of-N step nothing more to wait for. */
  #enqueueReadyPick(candidateId: string): void {
    const parentId = this.state.steps[candidateId]?.candidateOf ?? '';
    if (this.state.steps[parentId]?.status === 'ready') this.#enqueue(parentId);
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
    const idle = this.#queue.size === 0 && this.#retryTimers.size === 0;
    if (!this.#isStopping() && (this.#paused || !idle)) return;
    this.#finishing = true;
    this.#unsubscribeSlots();
    this.#clearRetryTimers();
    this.#queue.drain();
    if (this.#fatal !== undefined) {
      this.#settle.reject(this.#fatal);
      return;
    }
    this.#recordEnd();
    this.#recorder.durable().then(
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
