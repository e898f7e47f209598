/**
 * The provider limiter, watched: when callers waited for it, and when it let each through, so the bench can
 * measure the request rate achieved while work was queued.
 */
import { type Permit, ProviderLimiter, type ProviderLimits } from '../../src/limits/provider-limiter.js';
import type { Clock } from '../../src/support/clock.js';

export interface Grant {
  requestedAt: number;
  grantedAt: number;
}

export class TrackingLimiter extends ProviderLimiter {
  readonly grants: Grant[] = [];
  readonly #clock: Clock;

  constructor(name: string, limits: ProviderLimits, deps: { clock: Clock; random?: () => number }) {
    super(name, limits, deps);
    this.#clock = deps.clock;
  }

  override async acquire(options: { estimatedTokens?: number; signal?: AbortSignal } = {}): Promise<Permit> {
    const requestedAt = this.#clock.now();
    const permit = await super.acquire(options);
    this.grants.push({ requestedAt, grantedAt: this.#clock.now() });
    return permit;
  }
}

/**
 * Requests let through while some caller was waiting, per minute, as a share of the limit: from the first
 * wait to the last grant of a waiting caller, not counting the burst the bucket started with.
 */
export function queuedRate(
  grants: readonly Grant[],
  requestsPerMinute: number,
  burst: number,
): number | undefined {
  const waited = grants.filter((grant) => grant.grantedAt > grant.requestedAt);
  if (waited.length < 2) return undefined;
  const start = Math.min(...waited.map((grant) => grant.requestedAt));
  const end = Math.max(...waited.map((grant) => grant.grantedAt));
  const inWindow = grants.filter((grant) => grant.grantedAt > start && grant.grantedAt <= end).length;
  return (inWindow - burst) / (((end - start) / 60_000) * requestsPerMinute);
}
