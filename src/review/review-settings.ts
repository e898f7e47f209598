/**
 * The `review:` section of `ai-collab.config.yaml`: who reviews, how many, how the votes are counted, when
 * the swarm may stop early, and the per-provider limits its calls share. `resolveReviewSettings` is the one
 * place defaults live.
 */
import { z } from 'zod';
import type { ProviderLimits } from '../limits/provider-limiter.js';

export const providerLimitsSchema = z.strictObject({
  requestsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  tokensPerMinute: z.number().int().min(1).max(1_000_000_000).optional(),
  maxConcurrency: z.number().int().min(1).max(1_024).optional(),
  /** Requests allowed back to back before the per-minute rate applies. */
  burst: z.number().int().min(1).max(100_000).optional(),
});

// What a user reads when a key is wrong: the allowed values and an example, so the fix is in the message.
const reviewersHint = {
  error:
    'give a list of 1 to 32 agent names, e.g. [reviewer, claude, codex] (each an agent of `agents:` or a built-in)',
};
const swarmSizeHint = { error: 'give a whole number of reviewers from 1 to 32, e.g. 6 (the default)' };
const thresholdHint = {
  error: 'give the share of confidence-weighted approval needed, from 0.5 to 1, e.g. 0.6 (the default)',
};

export const reviewSettingsSchema = z
  .strictObject({
    /** Agent names (openai-compatible models take the 3-call protocol; CLI agents answer in one call). */
    reviewers: z
      .array(z.string(reviewersHint).min(1, reviewersHint).max(200, reviewersHint), reviewersHint)
      .min(1, reviewersHint)
      .max(32, reviewersHint)
      .optional(),
    /** Reviewers per review; the names are used in turn when there are fewer of them. */
    swarmSize: z
      .number(swarmSizeHint)
      .int(swarmSizeHint)
      .min(1, swarmSizeHint)
      .max(32, swarmSizeHint)
      .optional(),
    /** Confidence-weighted share of approval needed to approve (a tie never approves). */
    threshold: z.number(thresholdHint).min(0.5, thresholdHint).max(1, thresholdHint).optional(),
    /** Launch reviewers in waves and stop once the remaining votes cannot change the verdict. */
    earlyStop: z.boolean().optional(),
    /** Also stop once one side leads by this many votes (MAKER's first-to-ahead-by-k); off when absent. */
    margin: z.number().int().min(1).max(32).optional(),
    /** Reviewers that may fail or give an unusable vote; more fails the review (never approves). */
    maxAbstain: z.number().int().min(0).max(31).optional(),
    /** Votes must quote the diff or the validation output; votes whose quotes are not there are discarded. */
    requireEvidence: z.boolean().optional(),
    /** Reuse the verdict of an identical review (same step task, same changes, same reviewers). */
    cache: z.boolean().optional(),
    /** Retries of one reviewer call after a 429 (each waits for the provider's retry-after). */
    rateLimitRetries: z.number().int().min(0).max(20).optional(),
    /** Retries of one reviewer call after another transient error. */
    errorRetries: z.number().int().min(0).max(5).optional(),
    /** Milliseconds a reviewer may take for its whole review before it counts as an abstention. */
    reviewerTimeout: z
      .number()
      .int()
      .min(1_000)
      .max(24 * 60 * 60_000)
      .optional(),
    /** Output tokens of each reviewer call. */
    maxTokens: z.number().int().min(64).max(32_768).optional(),
    /**
     * Limits per provider, by base URL (`https://router.huggingface.co/v1`), by agent name (CLI reviewers),
     * or `default`.
     */
    limits: z.record(z.string().min(1).max(2_000), providerLimitsSchema).optional(),
  })
  .superRefine((value, context) => {
    const size = value.swarmSize ?? defaultSwarmSize;
    if (value.maxAbstain !== undefined && value.maxAbstain >= size) {
      context.addIssue({
        code: 'custom',
        path: ['maxAbstain'],
        message: `maxAbstain (${value.maxAbstain}) must be below swarmSize (${size}): at least one reviewer has to vote`,
      });
    }
  });

export type ReviewSettingsInput = z.output<typeof reviewSettingsSchema>;

export interface ReviewSettings {
  /** Empty: none configured (the composition root picks defaults, or refuses plans that need review). */
  reviewers: string[];
  swarmSize: number;
  threshold: number;
  earlyStop: boolean;
  margin: number | undefined;
  maxAbstain: number;
  requireEvidence: boolean;
  cache: boolean;
  rateLimitRetries: number;
  errorRetries: number;
  reviewerTimeoutMs: number;
  maxTokens: number;
  limits: Record<string, ProviderLimits>;
}

const defaultSwarmSize = 6;

/** Limits for a provider nobody configured: few calls at once; the limiter adapts to its 429s. */
export const defaultProviderLimits: ProviderLimits = { maxConcurrency: 4 };

export function resolveReviewSettings(input: ReviewSettingsInput = {}): ReviewSettings {
  const swarmSize = input.swarmSize ?? defaultSwarmSize;
  return {
    reviewers: input.reviewers ?? [],
    swarmSize,
    threshold: input.threshold ?? 0.6,
    earlyStop: input.earlyStop ?? true,
    margin: input.margin,
    // At least half the swarm must give a usable vote.
    maxAbstain: Math.min(input.maxAbstain ?? Math.floor(swarmSize / 2), swarmSize - 1),
    requireEvidence: input.requireEvidence ?? true,
    cache: input.cache ?? true,
    rateLimitRetries: input.rateLimitRetries ?? 5,
    errorRetries: input.errorRetries ?? 1,
    reviewerTimeoutMs: input.reviewerTimeout ?? 10 * 60_000,
    maxTokens: input.maxTokens ?? 1_024,
    limits: input.limits ?? {},
  };
}

/**
 * The limits for a provider (by base URL, with or without a trailing slash, then name, then `default`),
 * with headroom: a provider measures arrivals, not departures, so requests sent exactly at its rate arrive
 * bunched by network jitter and a few are refused. Pacing at 95 % with one request less of burst leaves
 * its bucket a little slack.
 */
export function limitsFor(
  settings: ReviewSettings,
  baseUrl: string | undefined,
  name: string,
): ProviderLimits {
  const trimmed = baseUrl?.replace(/\/+$/, '');
  const byUrl =
    trimmed === undefined ? undefined : (settings.limits[trimmed] ?? settings.limits[`${trimmed}/`]);
  const limits = byUrl ?? settings.limits[name] ?? settings.limits.default ?? defaultProviderLimits;
  return withHeadroom(limits);
}

export function withHeadroom(limits: ProviderLimits): ProviderLimits {
  const { requestsPerMinute, tokensPerMinute, burst } = limits;
  return {
    ...limits,
    ...(requestsPerMinute !== undefined && { requestsPerMinute: requestsPerMinute * headroom }),
    ...(tokensPerMinute !== undefined && { tokensPerMinute: Math.floor(tokensPerMinute * headroom) }),
    ...(requestsPerMinute !== undefined && {
      burst: Math.max(1, (burst ?? Math.ceil(requestsPerMinute / 6)) - 1),
    }),
  };
}

const headroom = 0.95;
