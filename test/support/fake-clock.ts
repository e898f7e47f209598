import { type Clock, sleepOn } from '../../src/support/clock.js';

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/**
 * The one fake clock, for the product's tests and the VS Code extension's. A clock that only moves when told to. `advance(ms)` fires due timers in time order and lets
 * promise callbacks settle between them, so code awaiting `sleep` observes the same order it would live.
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

  get pendingTimers(): number {
    return this.#timers.length;
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

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((delay, callback) => this.setTimer(delay, callback), ms, signal);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#earliestDue(target);
      if (!next) break;
      this.#timers = this.#timers.filter((timer) => timer.id !== next.id);
      this.#now = next.dueAt;
      next.callback();
    }
    this.#now = target;
    await settle();
  }

  /** Fires timers until none is left (bounded, so a timer that re-arms itself cannot loop forever). */
  async runAll(maxTimers = 10_000): Promise<void> {
    for (let fired = 0; fired < maxTimers; fired++) {
      await settle();
      const next = this.#earliestDue(Number.POSITIVE_INFINITY);
      if (!next) return;
      this.#timers = this.#timers.filter((timer) => timer.id !== next.id);
      this.#now = Math.max(this.#now, next.dueAt);
      next.callback();
    }
    throw new Error(`FakeClock.runAll: more than ${maxTimers} timers fired`);
  }

  /**
   * Lets the system run, firing the next timer whenever it goes idle, until `promise` settles.
   * This is how a test runs a whole plan in virtual time.
   */
  async runUntilSettled<T>(promise: Promise<T>, maxTimers = 100_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => {});
    for (let fired = 0; fired < maxTimers; fired++) {
      await settle();
      if (settled) return watched;
      const next = this.#earliestDue(Number.POSITIVE_INFINITY);
      if (!next) {
        await settle();
        if (settled) return watched;
        throw new Error('FakeClock.runUntilSettled: nothing left to fire but the promise is still pending');
      }
      this.#timers = this.#timers.filter((timer) => timer.id !== next.id);
      this.#now = Math.max(this.#now, next.dueAt);
      next.callback();
    }
    throw new Error(`FakeClock.runUntilSettled: more than ${maxTimers} timers fired`);
  }

  #earliestDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.id < best.id))
        best = timer;
    }
    return best;
  }
}

/**
 * Drives a fake clock 100 ms at a time while real work (child processes, sockets) goes on, until `promise`
 * settles: for code whose timers are virtual but whose I/O is not.
 */
export async function pump<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  for (let round = 0; round < 2_000 && !settled; round++) {
    await clock.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return watched;
}

/**
 * Lets queued promise reactions and immediates run, so state settles before the next timer fires (also the
 * VS Code extension's tests, which share this clock).
 */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
