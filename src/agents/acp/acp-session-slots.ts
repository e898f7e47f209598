/**
 * Lets one pooled ACP process serve up to `perProcess` sessions at once. The pool leases a worker to one
 * holder at a time; here the holder is this object, which hands out session slots on the workers it
 * holds, takes a new lease only when they are full, and gives a worker back when its last session ends.
 * With `perProcess` 1 this is the pool's own one-step-per-process behaviour.
 */
import type { PoolLease, PoolWorker, ProcessPool } from '../pool/process-pool.js';

export interface SessionSlot<W extends PoolWorker> {
  readonly worker: W;
  /** True when the worker was already running (no spawn for this step). */
  readonly warm: boolean;
  /**
   * Frees the slot. `reusable: false` stops new sessions on the worker and retires it when its other
   * sessions end; `retireNow` retires it at once (an agent that ignored a cancel cannot be trusted).
   */
  release(options?: { reusable?: boolean; retireNow?: boolean }): void;
  /** Why the pool stopped the worker while it was busy, if it did. */
  stoppedBecause(): string | undefined;
}

export interface SlotOptions {
  perProcess: number;
  /** Sessions one process serves before it is retired (the pool's `maxUses`). */
  maxSessions: number;
}

interface Held<W extends PoolWorker> {
  lease: PoolLease<W>;
  active: number;
  served: number;
  draining: boolean;
}

interface Waiter<W extends PoolWorker> {
  resolve(slot: SessionSlot<W>): void;
  reject(error: unknown): void;
}

export class SessionSlots<W extends PoolWorker> {
  readonly #pool: ProcessPool<W>;
  readonly #options: SlotOptions;
  readonly #held = new Set<Held<W>>();
  readonly #waiters: Waiter<W>[] = [];
  /** Leases asked of the pool and not yet granted; each will bring room for `perProcess` sessions. */
  #pending = 0;

  constructor(pool: ProcessPool<W>, options: SlotOptions) {
    this.#pool = pool;
    this.#options = {
      perProcess: Math.max(1, options.perProcess),
      maxSessions: Math.max(1, options.maxSessions),
    };
  }

  acquire(signal: AbortSignal): Promise<SessionSlot<W>> {
    const held = this.#roomy();
    if (held) return Promise.resolve(this.#slot(held, true));
    return new Promise<SessionSlot<W>>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const onAbort = (): void => {
        if (this.#drop(waiter)) reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const waiter: Waiter<W> = {
        resolve: (slot) => {
          signal.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#askPool();
    });
  }

  /** Fails every step still waiting for a worker (a worker could not be started). */
  failWaiters(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** Asks the pool for another process when the ones already asked for cannot seat every waiter. */
  #askPool(): void {
    if (this.#waiters.length <= this.#pending * this.#options.perProcess) return;
    this.#pending++;
    this.#pool.acquire().then(
      (lease) => {
        this.#pending--;
        const entry: Held<W> = { lease, active: 0, served: 0, draining: false };
        this.#held.add(entry);
        this.#handOut(entry, lease.warm);
      },
      (error: unknown) => {
        this.#pending--;
        // The pool stopped (crash loop, closed): nobody waiting can be served.
        this.failWaiters(error);
      },
    );
  }

  #roomy(): Held<W> | undefined {
    for (const entry of this.#held) if (this.#hasRoom(entry)) return entry;
    return undefined;
  }

  #hasRoom(entry: Held<W>): boolean {
    if (entry.draining || !entry.lease.worker.alive || entry.active >= this.#options.perProcess) return false;
    return entry.served + entry.active < this.#options.maxSessions;
  }

  #slot(entry: Held<W>, warm: boolean): SessionSlot<W> {
    entry.active++;
    let released = false;
    return {
      worker: entry.lease.worker,
      warm,
      stoppedBecause: () => entry.lease.stoppedBecause(),
      release: (options = {}) => {
        if (released) return;
        released = true;
        entry.active--;
        entry.served++;
        if (options.reusable === false || options.retireNow) entry.draining = true;
        if (options.retireNow) this.#giveBack(entry);
        else this.#handOut(entry, true);
      },
    };
  }

  /** Gives room on `entry` to waiting steps, or the worker back to the pool when nobody uses it. */
  #handOut(entry: Held<W>, warm: boolean): void {
    while (this.#waiters.length > 0 && this.#hasRoom(entry)) {
      (this.#waiters.shift() as Waiter<W>).resolve(this.#slot(entry, warm));
    }
    if (entry.active === 0) this.#giveBack(entry);
  }

  #giveBack(entry: Held<W>): void {
    if (!this.#held.delete(entry)) return;
    const spent = entry.served >= this.#options.maxSessions;
    entry.lease.release({ reusable: !entry.draining && !spent && entry.lease.worker.alive });
  }

  #drop(waiter: Waiter<W>): boolean {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return false;
    this.#waiters.splice(index, 1);
    return true;
  }
}
