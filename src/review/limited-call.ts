/**
 * One reviewer call through the provider's shared limiter. A 429 is reported to the limiter (which pauses
 * every caller of that provider until its retry-after, and halves the concurrency cap), then the call
 * queues again: no 429 storm, and no request before the provider said. Other transient errors get a
 * short, jittered backoff. Both are bounded; what is left is the reviewer's abstention.
 */
import type { AgentUsage, StepFailure } from '../agents/agent.js';
import type { ProviderLimiter } from '../limits/provider-limiter.js';
import type { Clock } from '../support/clock.js';

export type CallResult = { ok: true; usage?: AgentUsage } | { ok: false; failure: StepFailure };

export interface LimitedCallOptions {
  limiter: ProviderLimiter;
  clock: Clock;
  random: () => number;
  rateLimitRetries: number;
  errorRetries: number;
  /** Tokens the call is expected to use (prompt plus answer), for the tokens-per-minute bucket. */
  estimatedTokens: number;
  signal: AbortSignal;
}

export interface LimitedCallOutcome<T> {
  result: T | { ok: false; failure: StepFailure };
  /** Requests actually sent (retries included). */
  requests: number;
  rateLimited: number;
}

export async function callLimited<T extends CallResult>(
  call: () => Promise<T>,
  options: LimitedCallOptions,
): Promise<LimitedCallOutcome<T>> {
  let requests = 0;
  let rateLimited = 0;
  let errors = 0;
  for (;;) {
    let permit: Awaited<ReturnType<ProviderLimiter['acquire']>>;
    try {
      permit = await options.limiter.acquire({
        estimatedTokens: options.estimatedTokens,
        signal: options.signal,
      });
    } catch {
      return { result: { ok: false, failure: aborted() }, requests, rateLimited };
    }
    requests++;
    let result: T;
    try {
      result = await call();
    } catch (error) {
      permit.failed();
      const message = error instanceof Error ? error.message : String(error);
      return { result: internal(message), requests, rateLimited };
    }
    if (result.ok) {
      const usage = result.usage;
      permit.succeeded(usage ? usage.inputTokens + usage.outputTokens : undefined);
      return { result, requests, rateLimited };
    }
    const { failure } = result;
    if (failure.code === 'RATE_LIMITED') {
      rateLimited++;
      const now = options.clock.now();
      permit.rateLimited(failure.resetAt === undefined ? undefined : Math.max(0, failure.resetAt - now));
      if (rateLimited <= options.rateLimitRetries && !options.signal.aborted) continue;
      return { result, requests, rateLimited };
    }
    permit.failed();
    if (failure.kind !== 'transient' || failure.code === 'ABORTED' || options.signal.aborted)
      return { result, requests, rateLimited };
    if (errors >= options.errorRetries) return { result, requests, rateLimited };
    errors++;
    const delay = options.random() * Math.min(8_000, 500 * 2 ** errors);
    try {
      await options.clock.sleep(delay, options.signal);
    } catch {
      return { result: { ok: false, failure: aborted() }, requests, rateLimited };
    }
  }
}

function aborted(): StepFailure {
  return { code: 'ABORTED', kind: 'transient', message: 'the review was stopped' };
}

function internal(message: string): { ok: false; failure: StepFailure } {
  return { ok: false, failure: { code: 'INTERNAL', kind: 'transient', message } };
}
