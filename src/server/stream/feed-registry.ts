/**
 * The feeds the server keeps open: one per run that someone watches, and one per unfinished run (so
 * metrics see every event). Feeds of finished runs nobody watches are closed after a grace period, so a
 * quick reconnect still replays from memory.
 */
import { CorruptEventError } from '../../engine/decode-events.js';
import type { Clock } from '../../support/clock.js';
import { type FeedDeps, type FeedOptions, RunFeed } from './run-feed.js';

export interface FeedRegistryOptions extends FeedOptions {
  pollMs: number;
  /** How long a finished, unwatched feed stays open. */
  idleCloseMs: number;
}

export class FeedRegistry {
  readonly #deps: FeedDeps;
  readonly #options: FeedRegistryOptions;
  readonly #clock: Clock;
  readonly #feeds = new Map<string, RunFeed>();
  readonly #idleSince = new Map<string, number>();
  #cancelTimer: (() => void) | undefined;
  #ticks = 0;

  constructor(deps: FeedDeps, options: FeedRegistryOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#clock = deps.clock;
  }

  start(): void {
    const loop = (): void => {
      this.#cancelTimer = this.#clock.setTimer(this.#options.pollMs, () => {
        this.tick();
        loop();
      });
    };
    loop();
  }

  /** The run's feed, opened on first use; undefined when there is no such run. */
  get(runId: string): RunFeed | undefined {
    let feed = this.#feeds.get(runId);
    if (!feed) {
      feed = RunFeed.open(this.#deps, runId, this.#options);
      if (!feed) return undefined;
      this.#feeds.set(runId, feed);
    }
    this.#idleSince.delete(runId);
    return feed;
  }

  /** The run's feed if it is open; never opens one. */
  peek(runId: string): RunFeed | undefined {
    return this.#feeds.get(runId);
  }

  /** Open feeds, for gauges computed at scrape time. */
  feeds(): IterableIterator<RunFeed> {
    return this.#feeds.values();
  }

  /**
   * False when the run's log stopped decoding (an event edited or damaged under a running server): the feed
   * is dropped rather than the server, and the next request for the run answers with the error.
   */
  #tickFeed(runId: string, feed: RunFeed): boolean {
    try {
      feed.tick();
      return true;
    } catch (error) {
      if (!(error instanceof CorruptEventError)) throw error;
      this.#deps.logger.error('a run log cannot be decoded; its feed is closed', {
        runId,
        error: error.message,
      });
      feed.close();
      this.#feeds.delete(runId);
      this.#idleSince.delete(runId);
      return false;
    }
  }

  tick(): void {
    this.#ticks++;
    const now = this.#clock.now();
    for (const [runId, feed] of this.#feeds) {
      // Finished runs change only when someone retries a step; looking once a second is enough.
      if ((!feed.isTerminal || this.#ticks % 10 === 0) && !this.#tickFeed(runId, feed)) continue;
      if (feed.listenerCount > 0 || !feed.isTerminal) {
        this.#idleSince.delete(runId);
        continue;
      }
      const since = this.#idleSince.get(runId);
      if (since === undefined) this.#idleSince.set(runId, now);
      else if (now - since >= this.#options.idleCloseMs) {
        feed.close();
        this.#feeds.delete(runId);
        this.#idleSince.delete(runId);
      }
    }
  }

  close(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    for (const feed of this.#feeds.values()) feed.close();
    this.#feeds.clear();
  }
}
