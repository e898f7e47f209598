/**
 * Whether a live worker offers an agent, for every attempt in flight at once: the registry is read at most
 * once a second however many attempts ask, and re-read every second while any attempt watches, so a worker
 * that dies (or comes back) after a job was submitted is noticed too.
 */
import type { Clock } from '../support/clock.js';
import { isAlive, type WorkerEntry } from './worker-registry.js';

export const presenceEveryMs = 1_000;

/** One read of the registry, numbered in the order reads started. */
interface Reading {
  number: number;
  at: number;
  workers: Promise<WorkerEntry[]>;
}

/** Told each reading's answer for its agent, with the reading's number (see `WorkerPresence.reads`). */
export type PresenceListener = (offered: boolean, reading: number) => void;

export class WorkerPresence {
  readonly #clock: Clock;
  readonly #list: () => Promise<WorkerEntry[]>;
  readonly #listeners = new Set<{ agent: string; listener: PresenceListener }>();
  #last: Reading | undefined;
  #reads = 0;
  #cancelTick: (() => void) | undefined;

  constructor(options: { clock: Clock; list(): Promise<WorkerEntry[]> }) {
    this.#clock = options.clock;
    this.#list = options.list;
  }

  /** Reads started so far: a reading numbered at most this began before now. */
  get reads(): number {
    return this.#reads;
  }

  /**
   * Tells `listener` the answer for `agent` now (from a read under a second old, if any) and after every
   * read while watched; returns the function that stops it.
   */
  watch(agent: string, listener: PresenceListener): () => void {
    const entry = { agent, listener };
    this.#listeners.add(entry);
    void this.#deliver(this.#reading(), [entry]);
    this.#cancelTick ??= this.#clock.setTimer(presenceEveryMs, () => this.#tick());
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size > 0) return;
      this.#cancelTick?.();
      this.#cancelTick = undefined;
    };
  }

  #tick(): void {
    this.#cancelTick = undefined;
    if (this.#listeners.size === 0) return;
    void this.#deliver(this.#reading(), [...this.#listeners]);
    this.#cancelTick = this.#clock.setTimer(presenceEveryMs, () => this.#tick());
  }

  #reading(): Reading {
    const now = this.#clock.now();
    if (this.#last && now - this.#last.at < presenceEveryMs) return this.#last;
    this.#reads += 1;
    this.#last = { number: this.#reads, at: now, workers: this.#list() };
    return this.#last;
  }

  async #deliver(reading: Reading, to: Array<{ agent: string; listener: PresenceListener }>): Promise<void> {
    // An unreadable registry (Redis away) says nothing: no attempt is called waiting for want of an answer.
    const workers = await reading.workers.catch(() => undefined);
    if (!workers) return;
    for (const { agent, listener } of to) {
      const offered = workers.some((entry) => isAlive(entry, reading.at) && entry.agents.includes(agent));
      listener(offered, reading.number);
    }
  }
}
