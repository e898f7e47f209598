/**
 * The engine API every front end calls: create, start, resume, pause, stop and cancel runs, and read
 * their state. It owns no state of its own beyond the live runs; everything else is in the store.
 */
import { join } from 'node:path';
import { isSameProcessAlive } from '../agents/process/proc-table.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { SlotPool } from '../limits/slot-pool.js';
import type { PlanDefinition } from '../protocol/plan-types.js';
import type { EventStore, OwnerIdentity, RunRecord } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import { createRunId } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import { isRunEventType, type RunEvent } from './events.js';
import { createRunState, replayEvents } from './projection.js';
import { recoverRunningSteps } from './recover-steps.js';
import { RunExecutor, type StopMode } from './run-executor.js';
import { type RunEventListener, RunRecorder } from './run-recorder.js';
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
}

export interface CreateRunOptions {
  plan: PlanDefinition;
  workspace: string;
  planFile: string | null;
  concurrency?: number;
  failFast?: boolean;
}

export interface RunHandle {
  readonly runId: string;
  readonly state: RunState;
  readonly done: Promise<RunState>;
  subscribe(listener: RunEventListener): () => void;
}

export const defaultConcurrency = 4;

export class Engine {
  readonly #deps: EngineDeps;
  readonly #active = new Map<string, { executor: RunExecutor; recorder: RunRecorder }>();
  readonly #durationCache = new Map<string, number | undefined>();
  /** Runs created here and not started yet: their state is already built, so start need not replay it. */
  readonly #created = new Map<string, RunState>();

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  /** Records a new run durably (status `pending`); nothing runs until `startRun`. */
  createRun(options: CreateRunOptions): RunState {
    const { clock, store } = this.#deps;
    const runId = createRunId(clock.now());
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
    store.createRun(
      {
        runId,
        name: options.plan.name,
        workspace: options.workspace,
        planFile: options.planFile,
        status: 'pending',
        stepCount: options.plan.steps.length,
        createdAt: event.at,
        finishedAt: null,
        owner: null,
      },
      { runId, seq: 1, type: event.type, at: event.at, data: event.data },
    );
    const state = createRunState(event);
    this.#created.set(runId, state);
    return state;
  }

  startRun(runId: string): RunHandle {
    const state = this.#created.get(runId) ?? this.#load(runId);
    this.#created.delete(runId);
    if (state.status !== 'pending') {
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

  cancel(runId: string): void {
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
      .then(() => executor.start())
      .finally(() => this.#active.delete(runId));
    return { runId, state: recorder.state, done, subscribe: (listener) => recorder.subscribe(listener) };
  }

  #load(runId: string): RunState {
    const events = this.#deps.store.readEvents(runId);
    const state = replayEvents(mapEvents(events, runId));
    if (!state) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    return state;
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

function* mapEvents(
  events: Iterable<{ type: string; seq: number; at: number; data: unknown }>,
  runId: string,
) {
  for (const event of events) {
    if (!isRunEventType(event.type)) {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} has an event of type ${event.type} this version does not know; upgrade ai-collab`,
      );
    }
    yield { ...event, runId } as RunEvent;
  }
}

function isOwnerAlive(owner: OwnerIdentity): boolean {
  return isSameProcessAlive(owner);
}

export function isResumable(run: RunRecord): boolean {
  if (run.status === 'interrupted') return true;
  if (run.status !== 'running' && run.status !== 'paused') return false;
  return run.owner === null || !isOwnerAlive(run.owner);
}
