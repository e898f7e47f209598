/**
 * One limiter per model provider (base URL + key), shared by every run, step, planner and reviewer of the
 * process, so together they stay under the provider's limits instead of each discovering them by 429:
 *
 * - token buckets for requests per minute and tokens per minute (a request waits until both have room);
 * - a concurrency cap that adapts: halved on a 429, grown back by one after as many successes as the cap
 *   (AIMD, as TCP and Netflix's concurrency-limits do);
 * - a 429 pauses everyone until the provider's `retry-after` (or an exponential backoff when it gives
 *   none), so the burst that caused it is not repeated. CLI steps, whose requests the CLI makes, report
 *   their 429s too (`rateLimitedOutside`), so the engine's retries of every step on the provider share it.
 *
 * With a `SharedBudget` (distributed mode, `redis-limits.ts`) the request and token budgets, and the pauses,
 * are kept where every process on the account sees them; the concurrency cap stays per process.
 */
import type { Clock } from '../support/clock.js';
import type { SharedBudget } from './shared-budget.js';

export interface ProviderLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Most requests in flight at once (the adaptive cap never goes above it). */
  maxConcurrency?: number;
  /** Requests allowed back to back before the per-minute rate applies. */
  burst?: number;
}

export interface LimiterStats {
  requests: number;
  rateLimited: number;
  /** Total time requests spent waiting for the limiter. */
  waitedMs: number;
  concurrencyCap: number;
  inFlight: number;
  pausedUntil: number | undefined;
}

export interface Permit {
  /** The request worked; `tokens` is what it really used (replaces the estimate in the token bucket). */
  succeeded(tokens?: number): void;
  /** The provider answered 429; `retryAfterMs` is what it asked for, if anything. */
  rateLimited(retryAfterMs?: number): void;
  /** Any other failure: gives the slot back, changes nothing else. */
  failed(): void;
}

class TokenBucket {
  #tokens: number;
  #updatedAt: number;
  readonly #capacity: number;
  readonly #perMs: number;

  constructor(perMinute: number, capacity: number, now: number) {
    this.#capacity = capacity;
    this.#perMs = perMinute / 60_000;
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** How long until `amount` is available (0 if now). */
  waitFor(amount: number, now: number): number {
    this.#refill(now);
    const needed = Math.min(amount, this.#capacity) - this.#tokens;
    return needed <= 0 ? 0 : Math.ceil(needed / this.#perMs);
  }

  take(amount: number, now: number): void {
    this.#refill(now);
    this.#tokens -= amount;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }
}

export class ProviderLimiter {
  readonly name: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;
  readonly #maxConcurrency: number;
  #cap: number;
  #inFlight = 0;
  #successesAtCap = 0;
  #pausedUntil = 0;
  #consecutive429 = 0;
  #queue: Array<() => void> = [];
  #stats = { requests: 0, rateLimited: 0, waitedMs: 0 };
  readonly #shared: SharedBudget | undefined;

  constructor(
    name: string,
    limits: ProviderLimits,
    deps: { clock: Clock; random?: () => number; shared?: SharedBudget | undefined },
  ) {
    this.name = name;
    this.#clock = deps.clock;
    this.#random = deps.random ?? Math.random;
    this.#shared = deps.shared;
    const now = deps.clock.now();
    // A shared budget replaces the process's own buckets: one account, one budget.
    if (this.#shared) {
      this.#maxConcurrency = limits.maxConcurrency ?? 16;
      this.#cap = this.#maxConcurrency;
      return;
    }
    if (limits.requestsPerMinute) {
      const burst = limits.burst ?? Math.max(1, Math.ceil(limits.requestsPerMinute / 6));
      this.#requests = new TokenBucket(limits.requestsPerMinute, burst, now);
    }
    if (limits.tokensPerMinute)
      this.#tokens = new TokenBucket(limits.tokensPerMinute, limits.tokensPerMinute, now);
    this.#maxConcurrency = limits.maxConcurrency ?? 16;
    this.#cap = this.#maxConcurrency;
  }

  stats(): LimiterStats {
    return {
      ...this.#stats,
      concurrencyCap: this.#cap,
      inFlight: this.#inFlight,
      pausedUntil: this.#pausedUntil > this.#clock.now() ? this.#pausedUntil : undefined,
    };
  }

  /** Waits until a request may go out now; the permit must be settled exactly once. */
  async acquire(options: { estimatedTokens?: number; signal?: AbortSignal } = {}): Promise<Permit> {
    const startedAt = this.#clock.now();
    const estimate = options.estimatedTokens ?? 0;
    for (;;) {
      options.signal?.throwIfAborted();
      let wait = this.#waitMs(estimate);
      // Taken last and only when this process would go: a request that then waits took nothing shared.
      if (wait === 0 && this.#shared) wait = await this.#shared.take(estimate);
      if (wait === 0 && this.#waitMs(estimate) === 0) break;
      if (wait === 0) {
        // Lost the slot to another caller of this process while the shared budget answered.
        this.#shared?.giveBack(estimate);
        continue;
      }
      if (wait === Number.POSITIVE_INFINITY) await this.#nextRelease(options.signal);
      else await this.#clock.sleep(wait, options.signal);
    }
    const now = this.#clock.now();
    this.#requests?.take(1, now);
    this.#tokens?.take(estimate, now);
    this.#inFlight++;
    this.#stats.requests++;
    this.#stats.waitedMs += now - startedAt;
    return this.#permit(estimate);
  }

  #waitMs(estimate: number): number {
    const now = this.#clock.now();
    const pausedUntil = this.resumesAt();
    if (pausedUntil > now) return pausedUntil - now;
    if (this.#inFlight >= this.#cap) return Number.POSITIVE_INFINITY;
    return Math.max(this.#requests?.waitFor(1, now) ?? 0, this.#tokens?.waitFor(estimate, now) ?? 0);
  }

  /**
   * A 429 that reached a caller holding no permit: a CLI step, whose own process made the request. It
   * pauses the provider as a permit's 429 does; returns when the provider may be called again.
   */
  rateLimitedOutside(retryAfterMs?: number): number {
    this.#pause(retryAfterMs);
    return this.#pausedUntil;
  }

  /** A call that held no permit worked: the provider's backoff starts again from its shortest. */
  succeededOutside(): void {
    this.#consecutive429 = 0;
  }

  /** When the provider may next be called: now or earlier when it is not paused. */
  resumesAt(): number {
    return Math.max(this.#pausedUntil, this.#shared?.pausedUntil() ?? 0);
  }

  /**
   * Everyone waits for the provider's `retry-after`, or else for a backoff that doubles with each 429 in a
   * row (up to a minute), jittered over its upper half: a shared pause must really pause, and the jitter
   * still spreads the callers it releases.
   */
  #pause(retryAfterMs: number | undefined): void {
    this.#stats.rateLimited++;
    this.#consecutive429++;
    const ceiling = Math.min(60_000, 1_000 * 2 ** (this.#consecutive429 - 1));
    const backoff = ceiling / 2 + this.#random() * (ceiling / 2);
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + (retryAfterMs ?? backoff));
    this.#shared?.pause(this.#pausedUntil);
  }

  #nextRelease(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#queue = this.#queue.filter((entry) => entry !== wake);
        reject(signal?.reason);
      };
      this.#queue.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    this.#inFlight--;
    for (const wake of this.#queue.splice(0)) wake();
  }

  #permit(estimate: number): Permit {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.#release();
      return true;
    };
    return {
      succeeded: (tokens) => {
        if (!settle()) return;
        if (tokens !== undefined && this.#tokens) this.#tokens.take(tokens - estimate, this.#clock.now());
        if (tokens !== undefined) this.#shared?.correct(tokens - estimate);
        this.#consecutive429 = 0;
        // Additive increase: one more slot after a full window of successes at the current cap.
        if (this.#cap < this.#maxConcurrency && ++this.#successesAtCap >= this.#cap) {
          this.#cap++;
          this.#successesAtCap = 0;
        }
      },
      rateLimited: (retryAfterMs) => {
        if (!settle()) return;
        this.#cap = Math.max(1, Math.floor(this.#cap / 2));
        this.#successesAtCap = 0;
        this.#pause(retryAfterMs);
      },
      failed: () => {
        settle();
      },
    };
  }
}

/** Limiters by provider key, created on first use; one instance per process. */
export interface ProviderLimitersDeps {
  clock: Clock;
  random?: () => number;
  /** The budget of an account shared with other processes (distributed mode); each process its own when absent. */
  sharedBudget?: (key: string, limits: ProviderLimits) => SharedBudget;
}

export class ProviderLimiters {
  readonly #limiters = new Map<string, ProviderLimiter>();
  readonly #deps: ProviderLimitersDeps;

  constructor(deps: ProviderLimitersDeps) {
    this.#deps = deps;
  }

  /** `key` identifies the provider account: base URL plus the name of the key's variable. */
  get(key: string, limits: ProviderLimits): ProviderLimiter {
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      const { sharedBudget, ...deps } = this.#deps;
      limiter = new ProviderLimiter(key, limits, { ...deps, shared: sharedBudget?.(key, limits) });
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }

  all(): ProviderLimiter[] {
    return [...this.#limiters.values()];
  }
}
