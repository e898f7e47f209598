/**
 * The runs list as the dashboard sees it: read from the store's run index every `pollMs`, with a message
 * for each run that appeared or changed. Runs that are not finished get a feed, so metrics see their events.
 */
import { isSameProcessAlive } from '../../agents/process/proc-table.js';
import { landingState } from '../../engine/run-landing.js';
import type { RunState } from '../../engine/run-state.js';
import type { RunRecord } from '../../store/event-store.js';
import type { ServerEngine, ServerStore } from '../engine-port.js';
import type { FeedRegistry } from './feed-registry.js';
import type { RunSummary } from './stream-protocol.js';

const unfinished: ReadonlySet<string> = new Set(['pending', 'running', 'paused', 'awaiting_approval']);

/** A run whose owner died still reads `running` in the store until resumed; show it as interrupted. */
export function summarize(record: RunRecord, state?: Readonly<RunState>, activeHere = false): RunSummary {
  const ownerGone =
    !activeHere &&
    (record.status === 'running' || record.status === 'paused') &&
    (record.owner === null || !isSameProcessAlive(record.owner));
  const current = state && state.lastSeq >= record.lastSeq ? state : undefined;
  const status = current ? current.status : record.status;
  const landing = current ? landingState(current) : (record.landing ?? undefined);
  return {
    runId: record.runId,
    name: record.name,
    workspace: record.workspace,
    status: ownerGone && status === record.status ? 'interrupted' : status,
    stepCount: record.stepCount,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    startedAt: state?.startedAt ?? record.startedAt,
    finishedAt: record.finishedAt,
    lastSeq: Math.max(record.lastSeq, state?.lastSeq ?? 0),
    ...(landing && { landing }),
    ...(state && { counts: { ...state.counts } }),
  };
}

export class RunsWatcher {
  readonly #store: ServerStore;
  readonly #engine: Pick<ServerEngine, 'activeRun'>;
  readonly #feeds: FeedRegistry;
  readonly #onChange: (summary: RunSummary) => void;
  readonly #limit: number;
  #known = new Map<string, string>();
  #pendingNotes = new Map<string, Readonly<RunState>>();
  #closed = false;
  readonly #needsFeed: (record: RunRecord) => boolean;

  constructor(
    store: ServerStore,
    engine: Pick<ServerEngine, 'activeRun'>,
    feeds: FeedRegistry,
    onChange: (summary: RunSummary) => void,
    /** Finished runs that still need a look (their feed replays events the metrics missed). */
    needsFeed: (record: RunRecord) => boolean = () => false,
    limit = 500,
  ) {
    this.#needsFeed = needsFeed;
    this.#store = store;
    this.#engine = engine;
    this.#feeds = feeds;
    this.#onChange = onChange;
    this.#limit = limit;
  }

  close(): void {
    this.#closed = true;
    this.#pendingNotes.clear();
  }

  list(): RunSummary[] {
    return this.#store.listRuns({ limit: this.#limit }).map((record) => this.#summary(record));
  }

  /**
   * Reads the run index and reports what changed since the last poll; answers the runs in the list. Only
   * those are remembered: a run that fell off the list is never reported again, so it costs nothing.
   */
  poll(): ReadonlySet<string> {
    const listed = new Set<string>();
    for (const record of this.#store.listRuns({ limit: this.#limit })) {
      listed.add(record.runId);
      if (unfinished.has(record.status) || this.#needsFeed(record)) this.#feeds.get(record.runId);
      this.#report(this.#summary(record));
    }
    for (const runId of this.#known.keys()) if (!listed.has(runId)) this.#known.delete(runId);
    return listed;
  }

  /**
   * A followed run changed status: report it at the end of this turn (after the feed has delivered the
   * events that changed it) rather than at the next poll.
   */
  noteState(state: Readonly<RunState>): void {
    if (this.#closed) return;
    if (this.#pendingNotes.size === 0) {
      setImmediate(() => {
        if (this.#closed) return;
        const notes = [...this.#pendingNotes.values()];
        this.#pendingNotes.clear();
        for (const noted of notes) {
          const record = this.#store.getRun(noted.runId);
          if (record)
            this.#report(summarize(record, noted, this.#engine.activeRun(noted.runId) !== undefined));
        }
      });
    }
    this.#pendingNotes.set(state.runId, state);
  }

  #summary(record: RunRecord): RunSummary {
    const state = this.#feeds.peek(record.runId)?.state;
    return summarize(record, state, this.#engine.activeRun(record.runId) !== undefined);
  }

  #report(summary: RunSummary): void {
    const key = `${summary.status}|${summary.lastSeq}|${summary.finishedAt}`;
    if (this.#known.get(summary.runId) === key) return;
    this.#known.set(summary.runId, key);
    this.#onChange(summary);
  }
}
