/**
 * Provider limits shared through Redis, for distributed mode: every process given the same Redis and key
 * prefix draws on one budget per provider account, so N processes on one account make no more requests
 * than one would be allowed, and a 429's `retry-after` (or a usage limit's announced reset) that one of
 * them sees pauses them all.
 *
 * The counting is rate-limiter-flexible's `RateLimiterRedis` (atomic in Redis, fixed windows): one limiter
 * for requests and one for tokens per account, and one whose `block` holds each account's pause. A pause
 * is also published on a channel, so each process knows it at once without asking (the engine asks
 * `resumesAt` synchronously before starting a step). When Redis cannot be reached, callers wait and ask
 * again: no request goes out unaccounted.
 *
 * Use: `const limits = await createRedisLimits(redis, prefix, deps)`, then
 * `new ProviderLimiters({ clock, sharedBudget: limits.sharedBudget })`; `close()` at the end (the caller
 * keeps owning `redis`).
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { ProviderLimits } from './provider-limiter.js';
import type { SharedBudget } from './shared-budget.js';

export interface RedisLimits {
  /** The shared budget of one provider account (`ProviderLimiters`' `sharedBudget`). */
  sharedBudget(key: string, limits: ProviderLimits): SharedBudget;
  /** Waits for pauses still being written, then stops listening (the Redis connection stays the caller's). */
  close(): Promise<void>;
}

export interface RedisLimitsDeps {
  clock: Clock;
  logger: Logger;
}

/** How long a caller waits before asking again while Redis does not answer. */
export const redisRetryMs = 1_000;

const pauseMessage = z.object({ key: z.string(), ms: z.number().nonnegative() });

export async function createRedisLimits(
  redis: Redis,
  prefix: string,
  deps: RedisLimitsDeps,
): Promise<RedisLimits> {
  const channel = `${prefix}:pauses`;
  const budgets = new Map<string, RedisBudget>();
  const writes = new Set<Promise<void>>();
  const pauses = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:pause`,
    points: 1,
    duration: 1,
  });
  const shared: BudgetContext = {
    ...deps,
    redis,
    prefix,
    channel,
    pauses,
    track(write) {
      const tracked = write.catch((error: unknown) => {
        deps.logger.warn('could not share a rate-limit change through Redis', { error });
      });
      writes.add(tracked);
      void tracked.finally(() => writes.delete(tracked));
    },
  };
  // A connection in subscriber mode can do nothing else, hence its own.
  const subscriber = redis.duplicate();
  subscriber.on('message', (_channel: string, text: string) => {
    const parsed = pauseMessage.safeParse(safeJson(text));
    if (parsed.success) budgets.get(parsed.data.key)?.learn(deps.clock.now() + parsed.data.ms);
  });
  await subscriber.subscribe(channel);
  return {
    sharedBudget(key, limits) {
      let budget = budgets.get(key);
      if (!budget) {
        budget = new RedisBudget(key, limits, shared);
        budgets.set(key, budget);
      }
      return budget;
    },
    async close() {
      await Promise.all([...writes]);
      await subscriber.quit();
    },
  };
}

interface BudgetContext extends RedisLimitsDeps {
  redis: Redis;
  prefix: string;
  channel: string;
  pauses: RateLimiterRedis;
  /** Runs a write in the background, logged if it fails, awaited by `close`. */
  track(write: Promise<void>): void;
}

class RedisBudget implements SharedBudget {
  readonly #key: string;
  readonly #context: BudgetContext;
  readonly #requests: RateLimiterRedis | undefined;
  readonly #tokens: RateLimiterRedis | undefined;
  readonly #tokensPerWindow: number;
  #pausedUntil = 0;

  constructor(key: string, limits: ProviderLimits, context: BudgetContext) {
    this.#key = key;
    this.#context = context;
    const { redis, prefix } = context;
    if (limits.requestsPerMinute) {
      const window = requestWindow(limits.requestsPerMinute, limits.burst);
      this.#requests = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:requests`,
        ...window,
      });
    }
    this.#tokensPerWindow = limits.tokensPerMinute ?? 0;
    if (limits.tokensPerMinute) {
      this.#tokens = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:tokens`,
        points: limits.tokensPerMinute,
        duration: 60,
      });
    }
    // A pause set before this process started is learnt now, not at the first request.
    context.track(this.#readPause().then(() => undefined));
  }

  async take(tokens: number): Promise<number> {
    const { clock, logger } = this.#context;
    const now = clock.now();
    if (this.#pausedUntil > now) return this.#pausedUntil - now;
    try {
      const paused = await this.#readPause();
      if (paused > 0) return paused;
      const requestWait = await consume(this.#requests, this.#key, 1);
      if (requestWait > 0) return requestWait;
      const wanted = Math.min(tokens, this.#tokensPerWindow);
      const tokenWait = wanted > 0 ? await consume(this.#tokens, this.#key, wanted) : 0;
      if (tokenWait > 0 && this.#requests) await this.#requests.reward(this.#key, 1);
      return tokenWait;
    } catch (error) {
      logger.warn('Redis did not answer for the shared rate limit; waiting before asking again', {
        provider: this.#key,
        error,
      });
      return redisRetryMs;
    }
  }

  giveBack(tokens: number): void {
    const wanted = Math.min(tokens, this.#tokensPerWindow);
    if (this.#requests) this.#context.track(this.#requests.reward(this.#key, 1).then(() => undefined));
    if (this.#tokens && wanted > 0)
      this.#context.track(this.#tokens.reward(this.#key, wanted).then(() => undefined));
  }

  correct(delta: number): void {
    if (!this.#tokens || delta === 0) return;
    const change =
      delta > 0 ? this.#tokens.penalty(this.#key, delta) : this.#tokens.reward(this.#key, -delta);
    this.#context.track(change.then(() => undefined));
  }

  pause(until: number): void {
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    const { clock, pauses, redis, channel } = this.#context;
    const ms = until - clock.now();
    if (ms <= 0) return;
    this.#context.track(
      (async () => {
        // Only ever lengthened: a short retry-after seen later does not cut a long reset short.
        const current = await pauses.get(this.#key);
        if (!(current && current.consumedPoints > 1 && current.msBeforeNext >= ms))
          await pauses.block(this.#key, Math.ceil(ms / 1_000));
        await redis.publish(channel, JSON.stringify({ key: this.#key, ms }));
      })(),
    );
  }

  pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** A pause another process announced (or Redis holds). */
  learn(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** The pause Redis holds for this account, learnt; returns how long it still lasts (0: none). */
  async #readPause(): Promise<number> {
    const current = await this.#context.pauses.get(this.#key);
    if (!current || current.consumedPoints <= 1 || current.msBeforeNext <= 0) return 0;
    this.learn(this.#context.clock.now() + current.msBeforeNext);
    return current.msBeforeNext;
  }
}

/**
 * The local limiter's token bucket (a burst, refilled at the per-minute rate) as a fixed window: `burst`
 * requests per the time the rate takes to earn them, so no window lets more through than the rate allows.
 */
function requestWindow(perMinute: number, burst: number | undefined): { points: number; duration: number } {
  const size = burst ?? Math.max(1, Math.ceil(perMinute / 6));
  const duration = Math.max(1, Math.ceil((60 * size) / perMinute));
  return { points: Math.max(1, Math.floor((perMinute * duration) / 60)), duration };
}

/** Consumes `points`: 0 when granted, else how long until the window has room (rejections are not errors). */
async function consume(limiter: RateLimiterRedis | undefined, key: string, points: number): Promise<number> {
  if (!limiter) return 0;
  try {
    await limiter.consume(key, points);
    return 0;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
    throw rejection;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
