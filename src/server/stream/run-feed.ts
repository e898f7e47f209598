/**
 * One run's events in order, gap-free, from wherever they come: the engine's subscription when the run
 * executes in this process, the store when another process executes it (SQLite WAL lets us read while it
 * writes). Only committed events are taken, and events ahead of a gap wait until the store fills it. The
 * feed keeps its own projection (the snapshot) and a ring of recent events (the replay window), and hands
 * batches to its listeners.
 */
import type { AgentStreamPart } from '../../agents/agent.js';
import { applyLoggedEvent, type EventDecoder, isKnownEvent, replayLog } from '../../engine/decode-events.js';
import type { RunHandle } from '../../engine/engine.js';
import type { RunEvent } from '../../engine/events.js';
import { applyEvent } from '../../engine/projection.js';
import { type RunState, terminalRunStatuses } from '../../engine/run-state.js';
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../support/logger.js';
import type { ServerEngine, ServerStore } from '../engine-port.js';
import type { Redactor } from '../security/redact.js';
import { LiveOutput } from './live-output.js';
import type { LiveChunk } from './stream-protocol.js';

export interface FeedListener {
  events(feed: RunFeed, events: readonly RunEvent[]): void;
  live(feed: RunFeed, chunks: readonly LiveChunk[]): void;
}

/**
 * Sees every event the feed applies, with the state after it (metrics, the runs list); `replayed` marks
 * events read from the log when the feed opened (the metrics count those they have not seen yet).
 */
export type FeedObserver = (event: RunEvent, state: Readonly<RunState>, replayed: boolean) => void;

export interface FeedDeps {
  engine: ServerEngine;
  store: ServerStore;
  clock: Clock;
  logger: Logger;
  /** Shared with the read routes, so an unknown event type is warned about once. */
  decoder: EventDecoder;
  redactor: Redactor;
  observe: FeedObserver;
}

export interface FeedOptions {
  replayWindow: number;
  liveFlushMs: number;
  liveMaxChars: number;
}

const stepEndings: ReadonlySet<string> = new Set([
  'step.succeeded',
  'step.attempt-failed',
  'step.failed',
  'step.interrupted',
  'step.cancelled',
  'step.parked',
  'step.failed-over',
  'step.conflicted',
]);

export class RunFeed {
  readonly runId: string;
  readonly #deps: FeedDeps;
  readonly #options: FeedOptions;
  readonly #state: RunState;
  readonly #ring: RunEvent[] = [];
  readonly #ahead = new Map<number, RunEvent>();
  readonly #listeners = new Set<FeedListener>();
  readonly #live: LiveOutput;
  #batch: RunEvent[] = [];
  #flushScheduled = false;
  #gapCheckScheduled = false;
  #handle: RunHandle | undefined;
  #detach: (() => void) | undefined;
  #closed = false;

  private constructor(deps: FeedDeps, options: FeedOptions, state: RunState) {
    this.#deps = deps;
    this.#options = options;
    this.#state = state;
    this.runId = state.runId;
    this.#live = new LiveOutput(
      deps.clock,
      deps.redactor,
      { flushMs: options.liveFlushMs, maxCharsPerFlush: options.liveMaxChars },
      (chunks) => {
        for (const listener of this.#listeners) listener.live(this, chunks);
      },
    );
  }

  /** The run's feed, built from its log; undefined when the store has no such run. */
  static open(deps: FeedDeps, runId: string, options: FeedOptions): RunFeed | undefined {
    let state: RunState | undefined;
    for (const event of deps.decoder.decode(deps.store.readEvents(runId), runId)) {
      if (!state) state = replayLog([event]);
      else applyLoggedEvent(state, event);
      if (state && isKnownEvent(event)) deps.observe(event, state, true);
    }
    if (!state) return undefined;
    const feed = new RunFeed(deps, options, state);
    feed.tick();
    return feed;
  }

  get state(): Readonly<RunState> {
    return this.#state;
  }

  get lastSeq(): number {
    return this.#state.lastSeq;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  get isTerminal(): boolean {
    return terminalRunStatuses.has(this.#state.status) && this.#handle === undefined;
  }

  /** The events after `seq`, or undefined when the caller is too far behind (or ahead) and needs a snapshot. */
  eventsAfter(seq: number): RunEvent[] | undefined {
    this.flush();
    const missed = this.lastSeq - seq;
    if (missed < 0 || missed > this.#options.replayWindow) return undefined;
    if (missed === 0) return [];
    const first = this.#ring[0];
    if (first && first.seq <= seq + 1) return this.#ring.slice(seq + 1 - first.seq);
    const events: RunEvent[] = [];
    for (const event of this.#deps.decoder.decode(this.#deps.store.readEvents(this.runId, seq), this.runId)) {
      if (event.seq > this.lastSeq) break;
      // The stream carries run events only: past an unknown one, a client takes a snapshot.
      if (!isKnownEvent(event)) return undefined;
      events.push(event);
    }
    // The store lags the live feed by at most a commit; without every event, a snapshot is the honest answer.
    return events.length === missed ? events : undefined;
  }

  liveBacklog(): LiveChunk[] {
    return this.#live.backlog();
  }

  addListener(listener: FeedListener): void {
    this.flush();
    this.#listeners.add(listener);
  }

  removeListener(listener: FeedListener): void {
    this.#listeners.delete(listener);
  }

  /** Delivers applied events that are waiting for the end of this turn, now. */
  flush(): void {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    for (const listener of this.#listeners) listener.events(this, batch);
  }

  /** Periodic work: follow the run in this process when it starts here, else read new events from the store. */
  tick(): void {
    if (this.#closed) return;
    const handle = this.#deps.engine.activeRun(this.runId);
    if (handle && handle !== this.#handle) this.#attach(handle);
    if (!this.#handle || this.#ahead.size > 0 || this.#handle.state.lastSeq > this.lastSeq) {
      this.#readStore();
    }
  }

  close(): void {
    this.#closed = true;
    this.#detach?.();
    this.#detach = undefined;
    this.#handle = undefined;
    this.#live.close();
    this.#listeners.clear();
  }

  #attach(handle: RunHandle): void {
    this.#detach?.();
    this.#handle = handle;
    // The engine hands events over once committed: no client sees one a crash could take back.
    const offEvents = handle.subscribe((event) => this.#accept(event));
    const offLive = handle.subscribeLive((stepId, attempt, part) => this.#pushLive(stepId, attempt, part));
    this.#detach = () => {
      offEvents();
      offLive();
    };
    void handle.done
      .catch(() => undefined)
      .finally(() => {
        if (this.#handle !== handle) return;
        this.#detach?.();
        this.#detach = undefined;
        this.#handle = undefined;
        this.tick();
      });
  }

  #pushLive(stepId: string, attempt: number, part: AgentStreamPart): void {
    if (this.#listeners.size > 0) this.#live.push(stepId, attempt, part);
  }

  #readStore(): void {
    const { store, decoder } = this.#deps;
    for (const event of decoder.decode(store.readEvents(this.runId, this.lastSeq), this.runId)) {
      // An event of a newer version's type keeps its place in the sequence; clients resync past it.
      if (isKnownEvent(event)) this.#accept(event);
      else if (event.seq === this.lastSeq + 1) this.#state.lastSeq = event.seq;
    }
  }

  #accept(event: RunEvent): void {
    if (event.seq <= this.lastSeq) return;
    if (event.seq > this.lastSeq + 1) {
      // Ahead of a gap (events recorded before we subscribed, not yet committed): wait for the store.
      this.#ahead.set(event.seq, event);
      if (!this.#gapCheckScheduled) {
        this.#gapCheckScheduled = true;
        setImmediate(() => {
          this.#gapCheckScheduled = false;
          this.tick();
        });
      }
      return;
    }
    this.#apply(event);
    for (let next = this.#ahead.get(this.lastSeq + 1); next; next = this.#ahead.get(this.lastSeq + 1)) {
      this.#ahead.delete(next.seq);
      this.#apply(next);
    }
    for (const seq of this.#ahead.keys()) if (seq <= this.lastSeq) this.#ahead.delete(seq);
  }

  #apply(event: RunEvent): void {
    applyEvent(this.#state, event);
    this.#ring.push(event);
    if (this.#ring.length > this.#options.replayWindow) this.#ring.splice(0, this.#ring.length >> 1);
    this.#batch.push(event);
    if (stepEndings.has(event.type) && 'stepId' in event.data) this.#live.endStep(event.data.stepId);
    this.#deps.observe(event, this.#state, false);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.flush();
      });
    }
  }
}
