/** Retry delays: exponential, capped, with full jitter (AWS "Exponential Backoff and Jitter"). */
import type { BackoffPolicy } from '../protocol/plan-types.js';

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in [0, min(max, initial × factor^(retry−1))].
 * Full jitter spreads retries of many steps that failed together, so they do not stampede again in step.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  return Math.floor(random() * backoffCeiling(policy, retry));
}

export function backoffCeiling(policy: BackoffPolicy, retry: number): number {
  const exponent = Math.max(0, retry - 1);
  return Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
}
