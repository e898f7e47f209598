/**
 * One process of the shared-budget tests: opens the Redis limits under a prefix and uses one provider's
 * limiter. Its clock never waits: a request the budget refuses reports how long it would have waited.
 * Modes: `take N` (N requests; prints {admitted, waits}), `pause MS` (one request answered by a 429 with
 * retry-after MS), `watch` (prints "ready", then how long the provider is paused once it learns of a pause).
 */
import { Redis } from 'ioredis';
import { ProviderLimiters } from '../../src/limits/provider-limiter.js';
import { createRedisLimits } from '../../src/limits/redis-limits.js';
import { type Clock, systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';

class WouldWait extends Error {
  readonly ms: number;
  constructor(ms: number) {
    super(`would wait ${ms} ms`);
    this.ms = ms;
  }
}

const clock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, callback) => systemClock.setTimer(ms, callback),
  sleep: (ms) => Promise.reject(new WouldWait(ms)),
};

const [mode = '', prefix = '', argument = '0'] = process.argv.slice(2);
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const limits = await createRedisLimits(redis, prefix, { clock, logger: silentLogger });
const limiter = new ProviderLimiters({ clock, sharedBudget: limits.sharedBudget }).get('provider', {
  requestsPerMinute: 10,
  burst: 10,
});

if (mode === 'take') {
  let admitted = 0;
  const waits: number[] = [];
  for (let index = 0; index < Number(argument); index++) {
    try {
      (await limiter.acquire()).succeeded();
      admitted++;
    } catch (error) {
      if (!(error instanceof WouldWait)) throw error;
      waits.push(error.ms);
    }
  }
  process.stdout.write(`${JSON.stringify({ admitted, waits })}\n`);
} else if (mode === 'pause') {
  (await limiter.acquire()).rateLimited(Number(argument));
} else if (mode === 'watch') {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (limiter.resumesAt() > Date.now()) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
  process.stdout.write(`${JSON.stringify({ pausedForMs: limiter.resumesAt() - Date.now() })}\n`);
}
await limits.close();
redis.disconnect();
