import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderLimiter, type ProviderLimits } from '../../../src/limits/provider-limiter.js';
import { parseGoDuration, retryAfterMs } from '../../../src/limits/retry-after.js';
import { withHeadroom } from '../../../src/review/review-settings.js';
import { FakeClock } from '../../support/fake-clock.js';

/** When each of `count` requests made at once gets its permit, in virtual ms from the start, in order. */
async function permitTimes(
  limits: ProviderLimits,
  count: number,
): Promise<{ times: number[]; limiter: ProviderLimiter }> {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', limits, { clock });
  const start = clock.now();
  const times: number[] = [];
  const all = Array.from({ length: count }, async () => {
    const permit = await limiter.acquire();
    times.push(clock.now() - start);
    permit.succeeded();
  });
  await clock.runUntilSettled(Promise.all(all));
  return { times: times.sort((a, b) => a - b), limiter };
}

test('requests per minute: a burst goes at once, the rest at the steady rate', async () => {
  const { times, limiter } = await permitTimes({ requestsPerMinute: 60, burst: 10, maxConcurrency: 100 }, 20);
  assert.deepEqual(times.slice(0, 10), Array(10).fill(0));
  assert.deepEqual(times.slice(10), [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
  assert.equal(limiter.stats().requests, 20);
});

test('with the reviewers’ headroom a known limit is kept close to: 95 % of the rate, one less of burst', async () => {
  // 600 a minute with a burst of 3, as the provider states it.
  const { times } = await permitTimes(
    withHeadroom({ requestsPerMinute: 600, burst: 3, maxConcurrency: 8 }),
    36,
  );
  assert.deepEqual(times.slice(0, 2), [0, 0]);
  // Then one every 60 000 / 570 = 105.3 ms (whole milliseconds), not slower: the 36th call goes at 3.58 s.
  const gaps = times.slice(2).map((time, index) => time - (times[index + 1] ?? 0));
  assert.ok(
    gaps.every((gap) => gap === 105 || gap === 106),
    JSON.stringify(times),
  );
  assert.equal(times.at(-1), Math.ceil(34 * (60_000 / 570)));
});

test('tokens per minute: a large request waits for the budget, actual usage corrects the estimate', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { tokensPerMinute: 6_000 }, { clock });
  const first = await limiter.acquire({ estimatedTokens: 1_000 });
  first.succeeded(6_000);
  const start = clock.now();
  const second = limiter.acquire({ estimatedTokens: 3_000 });
  const permit = await clock.runUntilSettled(second);
  assert.equal(clock.now() - start, 30_000, '3,000 tokens at 100 tokens/s after the bucket was emptied');
  permit.succeeded();
});

test('the concurrency cap holds requests until one finishes', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 2 }, { clock });
  const a = await limiter.acquire();
  await limiter.acquire();
  let third = false;
  void limiter.acquire().then(() => {
    third = true;
  });
  await clock.advance(10_000);
  assert.equal(third, false);
  a.succeeded();
  await clock.advance(0);
  assert.equal(third, true);
});

test('a 429 with retry-after pauses every request and halves the cap; successes grow it back one at a time', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 8 }, { clock });
  const first = await limiter.acquire();
  first.rateLimited(5_000);
  assert.equal(limiter.stats().concurrencyCap, 4);
  const start = clock.now();
  const next = await clock.runUntilSettled(limiter.acquire());
  assert.equal(clock.now() - start, 5_000, 'nobody goes before the provider said');
  next.succeeded();
  for (let index = 0; index < 3; index++) (await limiter.acquire()).succeeded();
  assert.equal(limiter.stats().concurrencyCap, 5, 'one more after 4 successes at a cap of 4');
  assert.equal(limiter.stats().rateLimited, 1);
});

test('a 429 without retry-after backs off exponentially, jittered over the upper half', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', {}, { clock, random: () => 0.5 });
  (await limiter.acquire()).rateLimited();
  assert.equal(limiter.stats().pausedUntil, clock.now() + 750);
  await clock.advance(750);
  (await limiter.acquire()).rateLimited();
  assert.equal(limiter.stats().pausedUntil, clock.now() + 1_500);
});

test('429s seen by CLI steps (no permit) pause the provider and grow its backoff until a success', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('agent:claude', {}, { clock, random: () => 0 });
  assert.equal(limiter.rateLimitedOutside(), clock.now() + 500);
  assert.equal(limiter.rateLimitedOutside(), clock.now() + 1_000);
  assert.equal(limiter.rateLimitedOutside(3_000), clock.now() + 3_000, 'an announced reset wins');
  await clock.advance(3_000);
  limiter.succeededOutside();
  assert.equal(limiter.rateLimitedOutside(), clock.now() + 500);
  assert.equal(limiter.stats().rateLimited, 4);
});

test('an aborted wait leaves the queue', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 1 }, { clock });
  await limiter.acquire();
  const controller = new AbortController();
  const waiting = limiter.acquire({ signal: controller.signal });
  controller.abort(new Error('step cancelled'));
  await assert.rejects(waiting, /step cancelled/);
});

test('retry times are read from the headers providers send', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  assert.equal(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now), 1_500);
  assert.equal(retryAfterMs({ 'retry-after': '3' }, now), 3_000);
  assert.equal(retryAfterMs({ 'retry-after': 'Fri, 27 Nov 2026 12:00:30 GMT' }, now), 30_000);
  assert.equal(
    retryAfterMs(
      new Headers({ 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '20ms' }),
      now,
    ),
    360_000,
  );
  assert.equal(retryAfterMs({}, now), undefined);
  assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseGoDuration('soon'), undefined);
  assert.equal(parseGoDuration(null), undefined);
});
