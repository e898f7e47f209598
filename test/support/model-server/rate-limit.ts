// A provider's request limit, for tests and benchmarks of throttling: a token bucket of `burst` requests
// refilled at `requestsPerMinute`. A model call beyond it is answered 429 with `retry-after` (whole seconds,
// as most providers send) and `retry-after-ms` (exact), and is not shown to the script.

export interface RateLimitOptions {
  requestsPerMinute: number;
  /** Requests allowed back to back: the bucket's size. */
  burst: number;
  /** The server's clock, for runs that make time pass faster. @default Date.now */
  now?: () => number;
}

export class RequestBucket {
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: RateLimitOptions) {
    this.#perMs = options.requestsPerMinute / 60_000;
    this.#capacity = options.burst;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  /** Takes a request's token, or says how long until one is free. */
  take(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs)) };
  }
}
