/**
 * A discrete-event clock: simulated time jumps straight to the next timer whenever the process has
 * nothing else to do, so a 60-second step costs microseconds of real time but every scheduler sees
 * the same ordering of events it would see live.
 *
 * "Nothing else to do" cannot be asked of Node directly. The engine, in particular, awaits SQLite group
 * commits that run in `setImmediate`, so draining microtasks is not enough: time must not jump while a
 * commit (and the step start waiting on it) is still queued. `drive` therefore lets the event loop turn
 * a few times and keeps turning until several turns in a row show no clock activity (timers set or
 * cancelled, time read), and only then fires the earliest timer.
 */
import type { Clock } from '../../src/support/clock.js';
import { type PendingTimer, TimerHeap } from './timer-heap.js';

export interface SettlePolicy {
  /** Event-loop turns always taken before time may advance. */
  minTurns: number;
  /** Consecutive turns without clock activity required before time may advance. */
  quietTurns: number;
}

export const defaultSettlePolicy: SettlePolicy = { minTurns: 3, quietTurns: 2 };

/** Upper bound on turns per settle, so a runaway setImmediate loop fails loudly instead of hanging. */
const maxTurnsPerSettle = 10_000;

/** Simulated epoch start: a fixed, realistic timestamp so run ids and stored `at` values look normal. */
const simulatedEpoch = 1_700_000_000_000;

export class SimulationClock implements Clock {
  readonly #timers = new TimerHeap();
  readonly #settle: SettlePolicy;
  #now = simulatedEpoch;
  #nextId = 1;
  #activity = 0;
  #timersFired = 0;

  constructor(settle: SettlePolicy = defaultSettlePolicy) {
    this.#settle = settle;
  }

  now(): number {
    this.#activity++;
    return this.#now;
  }

  get timersFired(): number {
    return this.#timersFired;
  }

  setTimer(ms: number, callback: () => void): () => void {
    this.#activity++;
    const timer: PendingTimer = {
      id: this.#nextId++,
      dueAt: this.#now + Math.max(0, ms),
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return () => {
      if (timer.cancelled) return;
      this.#activity++;
      timer.cancelled = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Runs simulated time until `work` settles and returns its value. Throws if `work` is still waiting
   * when no timer is left, because then nothing could ever wake it (a lost wake-up in the scheduler).
   */
  async drive<T>(work: Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    work.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    for (;;) {
      await this.#untilIdle();
      if (outcome) break;
      if (!this.#fireEarliest()) {
        throw new Error(`simulation stalled at +${this.#now - simulatedEpoch} ms: work pending, no timers`);
      }
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Fires every live timer due at the earliest pending instant, together, as if simultaneous. */
  #fireEarliest(): boolean {
    const first = this.#popLive();
    if (!first) return false;
    this.#now = first.dueAt;
    const due = [first];
    for (let next = this.#timers.peek(); next && next.dueAt === this.#now; next = this.#timers.peek()) {
      this.#timers.pop();
      if (!next.cancelled) due.push(next);
    }
    for (const timer of due) {
      // An earlier callback of the same instant may have cancelled a later one.
      if (timer.cancelled) continue;
      timer.cancelled = true;
      this.#timersFired++;
      timer.callback();
    }
    return true;
  }

  #popLive(): PendingTimer | undefined {
    for (let timer = this.#timers.pop(); timer; timer = this.#timers.pop()) {
      if (!timer.cancelled) return timer;
    }
    return undefined;
  }

  async #untilIdle(): Promise<void> {
    const { minTurns, quietTurns } = this.#settle;
    let quiet = 0;
    for (let turn = 1; turn <= maxTurnsPerSettle; turn++) {
      const before = this.#activity;
      await nextTurn();
      quiet = this.#activity === before ? quiet + 1 : 0;
      if (turn >= minTurns && quiet >= quietTurns) return;
    }
    throw new Error(`simulation never went idle after ${maxTurnsPerSettle} event-loop turns`);
  }
}

/** One turn of the event loop: queued immediates (such as SQLite group commits) run before this resolves. */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
