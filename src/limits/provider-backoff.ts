/**
 * The engine's view of the providers behind its agents: when a step is rate-limited, it and every other
 * step on the same provider wait for that provider — the reset it announced, or else one backoff they all
 * share — instead of each step retrying on its own jittered schedule and repeating the burst.
 */
import type { Clock } from '../support/clock.js';
import { type ProviderLimiter, ProviderLimiters } from './provider-limiter.js';

export interface ProviderRoute {
  limiter: ProviderLimiter;
  /** The agent's own client already reports its 429s to the limiter (API agents); CLIs' are reported here. */
  reportsRateLimits: boolean;
}

export class ProviderBackoff {
  readonly #route: (agent: string) => ProviderRoute;
  readonly #clock: Clock;

  constructor(route: (agent: string) => ProviderRoute, clock: Clock) {
    this.#route = route;
    this.#clock = clock;
  }

  /** Each agent its own provider, with no configured limits: the engine's default. */
  static perAgent(deps: { clock: Clock; random: () => number }): ProviderBackoff {
    const limiters = new ProviderLimiters(deps);
    return new ProviderBackoff(
      (agent) => ({ limiter: limiters.get(`agent:${agent}`, {}), reportsRateLimits: false }),
      deps.clock,
    );
  }

  /**
   * A step on `agent` was rate-limited; `resetAt` is the reset its provider announced, if any. Returns
   * the epoch ms before which no step on that provider should run again.
   */
  rateLimited(agent: string, resetAt: number | undefined): number {
    const { limiter, reportsRateLimits } = this.#route(agent);
    if (!reportsRateLimits) {
      limiter.rateLimitedOutside(
        resetAt === undefined ? undefined : Math.max(0, resetAt - this.#clock.now()),
      );
    }
    return Math.max(limiter.resumesAt(), resetAt ?? 0);
  }

  /** A step on `agent` worked: its provider answered, so the shared backoff starts over. */
  succeeded(agent: string): void {
    const { limiter, reportsRateLimits } = this.#route(agent);
    if (!reportsRateLimits) limiter.succeededOutside();
  }

  /** Epoch ms before which no step on `agent`'s provider should start (in the past when it is not paused). */
  resumesAt(agent: string): number {
    return this.#route(agent).limiter.resumesAt();
  }
}
