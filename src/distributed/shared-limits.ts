/**
 * The provider budgets a coordinator and its workers share through Redis (`limits/redis-limits.ts`), under
 * one key prefix per queue prefix: every process on the same Redis and prefix draws on one budget per
 * provider account, so N workers on one account make no more requests than one would be allowed.
 */
import type { Redis } from 'ioredis';
import { createRedisLimits, type RedisLimits } from '../limits/redis-limits.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';

/** The Redis key prefix of the shared budgets of a queue prefix. */
export function limitsPrefixOf(prefix: string): string {
  return `${prefix}:limits`;
}

/** Opens the shared budgets on `redis` (still the caller's to close, after the returned limits). */
export function openSharedLimits(
  redis: Redis,
  prefix: string,
  deps: { clock: Clock; logger: Logger },
): Promise<RedisLimits> {
  return createRedisLimits(redis, limitsPrefixOf(prefix), deps);
}
