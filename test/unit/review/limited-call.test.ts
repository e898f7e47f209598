import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepFailure } from '../../../src/agents/agent.js';
import { ProviderLimiter } from '../../../src/limits/provider-limiter.js';
import { type CallResult, callLimited, type LimitedCallOptions } from '../../../src/review/limited-call.js';
import { FakeClock } from '../../support/fake-clock.js';

function options(clock: FakeClock, limiter: ProviderLimiter, overrides: Partial<LimitedCallOptions> = {}) {
  return {
    limiter,
    clock,
    random: () => 0.5,
    rateLimitRetries: 3,
    errorRetries: 1,
    estimatedTokens: 100,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function rateLimited(clock: FakeClock, afterMs: number): CallResult {
  return {
    ok: false,
    failure: { code: 'RATE_LIMITED', kind: 'transient', message: '429', resetAt: clock.now() + afterMs },
  };
}

test('a 429 pauses every caller of the provider until its retry-after, then the call goes again', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 4 }, { clock });
  const sentAt: number[] = [];
  let first = true;
  const call = async (): Promise<CallResult> => {
    sentAt.push(clock.now());
    if (first) {
      first = false;
      return rateLimited(clock, 5_000);
    }
    return { ok: true, usage: { inputTokens: 10, outputTokens: 5 } };
  };
  const start = clock.now();
  const outcome = await clock.runUntilSettled(callLimited(call, options(clock, limiter)));
  assert.equal(outcome.result.ok, true);
  assert.equal(outcome.requests, 2);
  assert.equal(outcome.rateLimited, 1);
  assert.deepEqual(
    sentAt.map((at) => at - start),
    [0, 5_000],
  );
  // Another caller of the same provider was held too.
  const other = await clock.runUntilSettled(callLimited(async () => ({ ok: true }), options(clock, limiter)));
  assert.equal(other.result.ok, true);
  assert.equal(limiter.stats().rateLimited, 1);
});

test('no 429 storm: while one call is told to wait, the others queued behind it wait too', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 8 }, { clock });
  const allowedFrom = clock.now() + 3_000;
  let rejected = 0;
  const call = async (): Promise<CallResult> => {
    await clock.sleep(10);
    if (clock.now() < allowedFrom) {
      rejected++;
      return rateLimited(clock, allowedFrom - clock.now());
    }
    return { ok: true };
  };
  const calls = Array.from({ length: 8 }, () => callLimited(call, options(clock, limiter)));
  const outcomes = await clock.runUntilSettled(Promise.all(calls));
  assert.ok(outcomes.every((outcome) => outcome.result.ok));
  assert.equal(rejected, 8, 'only the calls already in flight were refused, once each');
});

test('retries after 429s are bounded: the last one is the answer', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', {}, { clock });
  let sent = 0;
  const call = async (): Promise<CallResult> => {
    sent++;
    return rateLimited(clock, 1_000);
  };
  const outcome = await clock.runUntilSettled(
    callLimited(call, options(clock, limiter, { rateLimitRetries: 2 })),
  );
  assert.equal(outcome.result.ok, false);
  assert.equal(sent, 3);
  assert.equal(outcome.rateLimited, 3);
});

test('other transient errors get one retry after a jittered pause; permanent ones none', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', {}, { clock });
  const failing = (failure: Partial<StepFailure>) => {
    let sent = 0;
    return {
      count: () => sent,
      call: async (): Promise<CallResult> => {
        sent++;
        return { ok: false, failure: { code: 'MODEL_ERROR', kind: 'transient', message: 'x', ...failure } };
      },
    };
  };
  const transient = failing({});
  const start = clock.now();
  await clock.runUntilSettled(callLimited(transient.call, options(clock, limiter)));
  assert.equal(transient.count(), 2);
  assert.equal(clock.now() - start, 500, 'random 0.5 × 1 s');
  const permanent = failing({ code: 'AUTH_FAILED', kind: 'permanent' });
  await clock.runUntilSettled(callLimited(permanent.call, options(clock, limiter)));
  assert.equal(permanent.count(), 1);
  assert.equal(limiter.stats().inFlight, 0, 'every permit was given back');
});

test('an abort while waiting for the limiter ends the call without sending it', async () => {
  const clock = new FakeClock();
  const limiter = new ProviderLimiter('p', { maxConcurrency: 1 }, { clock });
  const held = await limiter.acquire();
  const controller = new AbortController();
  let sent = 0;
  const pending = callLimited(
    async () => {
      sent++;
      return { ok: true };
    },
    options(clock, limiter, { signal: controller.signal }),
  );
  controller.abort();
  const outcome = await pending;
  assert.equal(outcome.result.ok, false);
  assert.equal(sent, 0);
  held.succeeded();
});
