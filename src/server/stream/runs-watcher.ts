/**
 * The runs list as the dashboard sees it: kept from the store's run index, polled every `runsPollMs`, with a
 * message for each run that appeared or changed. A poll asks the index's revision first and reads only the
 * rows written since (none while nothing changed), so an idle list of 500 runs costs one index lookup.
 * Runs that are not finished get a feed, so metrics see their events.
 */
import { isSameProcessAlive } from '../../agents/process/proc-table.js';
import { landingState } from '../../engine/run-landing.js';
import type { RunState } from '../../engine/run-state.js';
import type { RunRecord } from '../../store/event-store.js';
import type { ServerEngine, ServerStore } from '../engine-port.js';
import type { FeedRegistry } from './feed-registry.js';
import type { RunSummary } from './stream-protocol.js';

const unfinished: ReadonlySet<string> = new Set(['pending', 'running', 'paused', 'awaiting_approval']);
const noRuns: ReadonlySet<string> = new Set();

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
  /** The runs list as of the last poll, newest first, and the index revision it was read at. */
  #listed = new Map<string, RunRecord>();
  #revision: number | undefined;
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
   * Reads what changed in the run index and reports it; answers the runs in the list, by id. Only those are
   * remembered: a run that fell off the list is never reported again, so it costs nothing.
   */
  poll(): ReadonlyMap<string, RunRecord> {
    const changed = this.#readChanges();
    for (const record of this.#listed.values()) {
      const going = unfinished.has(record.status);
      if (going || this.#needsFeed(record)) this.#feeds.get(record.runId);
      // A finished run's summary changes only with its row; one still going may have lost its owner
      // process, which no row says.
      if (going || changed.has(record.runId)) this.#report(this.#summary(record));
    }
    for (const runId of this.#known.keys()) if (!this.#listed.has(runId)) this.#known.delete(runId);
    return this.#listed;
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

  /** Takes the rows written since the last poll into the list; answers their ids. */
  #readChanges(): ReadonlySet<string> {
    // The revision is read first: a row written in between is read now and again next time, never missed.
    const revision = this.#store.runsRevision();
    if (revision === this.#revision) return noRuns;
    const rows = this.#store.listRuns({
      limit: this.#limit,
      ...(this.#revision !== undefined && { changedAfter: this.#revision }),
    });
    this.#revision = revision;
    let appeared = false;
    for (const record of rows) {
      appeared ||= !this.#listed.has(record.runId);
      this.#listed.set(record.runId, record);
    }
    if (appeared) {
      const newest = [...this.#listed.values()].sort(newestFirst).slice(0, this.#limit);
      this.#listed = new Map(newest.map((record) => [record.runId, record]));
    }
    return new Set(rows.map((record) => record.runId));
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

/** The run index's order, `created_at DESC, run_id DESC` (SQLite compares text as UTF-8 bytes). */
function newestFirst(left: RunRecord, right: RunRecord): number {
  if (left.createdAt !== right.createdAt) return right.createdAt - left.createdAt;
  return Buffer.compare(Buffer.from(right.runId), Buffer.from(left.runId));
}
