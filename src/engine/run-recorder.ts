/**
 * The single writer of one run's log: numbers each event, folds it into the live state, queues it for
 * group commit with the run-index change it implies, and tells listeners once it is committed: no front end
 * ever shows an event a full disk or a crash could take back.
 */

import type { AgentStreamPart } from '../agents/agent.js';
import type { DurationSample, EventStore, RunRecordPatch } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import { applyLoggedEvent, isKnownEvent, type LoggedEvent } from './decode-events.js';
import type { RunEvent, RunEventBody } from './events.js';
import { applyEvent } from './projection.js';
import type { RunState } from './run-state.js';

/**
 * Hears each event once it is committed, in order; `state` is the run as committed (it may already include
 * later events of the same commit).
 */
export type RunEventListener = (event: RunEvent, state: RunState) => void;

/** Live progress of a running step: shown to views, never persisted (the transcript file has it all). */
export type LivePartListener = (stepId: string, attempt: number, part: AgentStreamPart) => void;

export class RunRecorder {
  readonly state: RunState;
  readonly #store: EventStore;
  readonly #clock: Clock;
  #listeners = new Set<RunEventListener>();
  #liveListeners = new Set<LivePartListener>();
  /** Recorded, waiting for their commit before listeners hear of them. */
  #unshown: RunEvent[] = [];
  /** Set when a commit of this run failed: nothing more is written (the log would have a gap) or shown. */
  #failure: unknown;

  constructor(store: EventStore, clock: Clock, state: RunState) {
    this.#store = store;
    this.#clock = clock;
    this.state = state;
  }

  record(body: RunEventBody, duration?: DurationSample): RunEvent {
    // Named fields, not `{ ...body, runId, … }`: on Node 20's V8 a spread that adds keys gives every event a
    // hidden class of its own, garbage the collector must trace twice per step.
    const event = {
      type: body.type,
      data: body.data,
      runId: this.state.runId,
      seq: this.state.lastSeq + 1,
      at: this.#clock.now(),
    } as RunEvent;
    applyEvent(this.state, event);
    if (this.#failure !== undefined) return event;
    // The store keeps this same object until it commits: no second copy per event.
    const run = runPatchFor(event);
    this.#store.enqueue(
      run || duration ? { event, ...(run && { run }), ...(duration && { duration }) } : { event },
    );
    this.#unshown.push(event);
    if (this.#unshown.length === 1) this.#store.afterCommit((error) => this.#committed(error));
    return event;
  }

  /**
   * Takes in an event another writer already committed to this run's log (a decision on its approval, made
   * in any process while this one waited): folded into the state and told to listeners, not written again.
   * Behind events of this process still waiting for their commit, it is told after them, in log order.
   * An event of a type this version does not know only moves the state's seq past it (no listener hears it).
   */
  adopt(event: LoggedEvent): void {
    if (event.seq !== this.state.lastSeq + 1) {
      throw new Error(
        `run ${this.state.runId}: adopted event ${event.seq} does not follow ${this.state.lastSeq}`,
      );
    }
    applyLoggedEvent(this.state, event);
    if (!isKnownEvent(event)) return;
    if (this.#unshown.length > 0) {
      this.#unshown.push(event);
      return;
    }
    for (const listener of this.#listeners) listener(event, this.state);
  }

  /** Resolves when every event recorded so far is committed; rejects once a commit of this run failed. */
  durable(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return this.#store.flush();
  }

  /**
   * Right after the commit, before any other code runs: the live state is then exactly what is durable
   * (events recorded by the listeners themselves wait for the next commit).
   */
  #committed(error: unknown): void {
    const events = this.#unshown;
    this.#unshown = [];
    if (error !== undefined) {
      this.#failure = error;
      return;
    }
    for (const event of events) {
      for (const listener of this.#listeners) listener(event, this.state);
    }
  }

  publishLive(stepId: string, attempt: number, part: AgentStreamPart): void {
    for (const listener of this.#liveListeners) listener(stepId, attempt, part);
  }

  subscribeLive(listener: LivePartListener): () => void {
    this.#liveListeners.add(listener);
    return () => this.#liveListeners.delete(listener);
  }

  subscribe(listener: RunEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function runPatchFor(event: RunEvent): RunRecordPatch | undefined {
  switch (event.type) {
    case 'run.approval-decided':
      return event.data.decision === 'approved'
        ? { status: 'pending' }
        : { status: 'cancelled', finishedAt: event.at, owner: null };
    case 'run.approval-requested':
      return { status: 'awaiting_approval' };
    case 'run.approved':
      return { status: 'pending' };
    case 'run.started':
      return { status: 'running', owner: event.data.owner };
    case 'run.paused':
      return { status: 'paused' };
    case 'run.budget-reached':
      // Nothing runs any more: the run is left for whoever raises the budget (any process).
      return { status: 'paused', owner: null };
    case 'run.resumed':
      return { status: 'running' };
    case 'run.interrupted':
      return { status: 'interrupted', owner: null };
    case 'run.finished':
      return { status: event.data.status, finishedAt: event.at, owner: null };
    case 'run.applied':
      return { landing: 'applied' };
    case 'run.discarded':
      return { landing: 'discarded' };
    default:
      return undefined;
  }
}
