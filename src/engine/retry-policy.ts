/**
 * When a failed attempt runs again: one rule for a run's steps and for planning, so a 429 from the
 * planner's model is retried exactly as one from a step's.
 */
import type { StepFailure } from '../agents/agent.js';
import type { ProviderBackoff } from '../limits/provider-backoff.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { Clock } from '../support/clock.js';
import { backoffDelay } from './backoff.js';

export interface RetryDeps {
  clock: Clock;
  random: () => number;
  providers: ProviderBackoff;
}

/**
 * Tells the provider of a rate-limited attempt (every 429 pauses all its callers, also one with no retry
 * left), and of a usage limit with a known reset (every step on the account would hit it until then, in
 * every process sharing the provider's limits); returns when the provider may be called again, or
 * undefined for any other failure.
 */
export function reportRateLimit(
  step: StepDefinition,
  failure: StepFailure,
  providers: ProviderBackoff,
): number | undefined {
  const usageLimitWithReset = failure.kind === 'usage-limit' && failure.resetAt !== undefined;
  return failure.code === 'RATE_LIMITED' || usageLimitWithReset
    ? providers.rateLimited(step.agent, failure.resetAt)
    : undefined;
}

/**
 * The delay before retry number `retry` (1 for the first). A rate limit is the provider's, not the step's:
 * the retry waits for the provider (`providerResumesAt`: the reset it announced, or the backoff every
 * step on it shares). Anything else retries on the step's own jittered backoff, and still no earlier
 * than a reset it was given.
 */
export function retryDelay(
  step: StepDefinition,
  failure: StepFailure,
  retry: number,
  providerResumesAt: number | undefined,
  deps: Pick<RetryDeps, 'clock' | 'random'>,
): number {
  const now = deps.clock.now();
  if (providerResumesAt !== undefined) return Math.max(0, providerResumesAt - now);
  const backoff = backoffDelay(step.backoff, retry, deps.random);
  return Math.max(backoff, (failure.resetAt ?? 0) - now);
}
