import type { Clock } from '../../src/support/clock.js';

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to. `advance(ms)` fires due timers in time order and lets promise
 * callbacks settle between them, so code awaiting timers observes the order it would live.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(startAt = 1_700_000_000_000) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  /** Due times of pending timers, relative to now, in firing order. */
  pendingDelays(): number[] {
    return this.#timers.map((timer) => timer.dueAt - this.#now).sort((a, b) => a - b);
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer = { id: this.#nextId++, dueAt: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((candidate) => candidate.id !== timer.id);
    };
  }

  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = [...this.#timers].sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!next || next.dueAt > target) break;
      this.#timers = this.#timers.filter((timer) => timer.id !== next.id);
      this.#now = next.dueAt;
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets queued promise callbacks (and their follow-ups) run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 20; round++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}
