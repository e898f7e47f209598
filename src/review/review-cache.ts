/**
 * Verdicts of reviews already made, by a key over everything the verdict depends on: the evidence (task,
 * changes, validation output), the reviewers (who and which model), the counting rule and the prompts.
 * Only real verdicts are kept; a review that failed (too many abstentions) is asked again next time.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ReviewVote } from './run-swarm.js';
import type { Tally, VerdictRule } from './verdict.js';

export interface CachedReview {
  verdict: 'approved' | 'rejected';
  votes: ReviewVote[];
  tally: Tally;
  /** Epoch ms of the review. */
  reviewedAt: number;
}

export interface ReviewCache {
  get(key: string): Promise<CachedReview | undefined>;
  put(key: string, review: CachedReview): Promise<void>;
}

const count = z.number().int().min(0);
const weight = z.number().min(0);

/** A stored review as read back (from disk, another version, or damaged): only a well-formed one counts. */
const cachedReviewSchema = z.object({
  verdict: z.enum(['approved', 'rejected']),
  votes: z
    .array(
      z.object({
        reviewer: z.string(),
        vote: z.enum(['approve', 'reject', 'abstain']),
        confidence: z.number().min(0).max(1),
        reason: z.string(),
        evidence: z.array(z.string()),
      }),
    )
    .max(64),
  tally: z.object({
    approvals: count,
    rejections: count,
    abstentions: count,
    counted: count,
    approveWeight: weight,
    rejectWeight: weight,
  }),
  reviewedAt: z.number(),
});

/** The review in a stored value, or undefined when it is not one (then the review is made again). */
export function parseCachedReview(value: unknown): CachedReview | undefined {
  const parsed = cachedReviewSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface ReviewKeyParts {
  evidence: string;
  /** Each member of the swarm, in order: name and identity (adapter, endpoint, model). */
  reviewers: readonly string[];
  rule: VerdictRule;
  earlyStop: boolean;
  requireEvidence: boolean;
  promptVersion: number;
}

export function reviewCacheKey(parts: ReviewKeyParts): string {
  const { rule } = parts;
  const settings = [
    `v${parts.promptVersion}`,
    `n${rule.swarmSize}`,
    `t${rule.threshold}`,
    `a${rule.maxAbstain}`,
    `m${rule.margin ?? '-'}`,
    parts.earlyStop ? 'early' : 'full',
    parts.requireEvidence ? 'bound' : 'free',
  ].join(' ');
  return createHash('sha256')
    .update(JSON.stringify([settings, parts.reviewers, parts.evidence]))
    .digest('hex');
}

/** The process's cache: most recently used entries, up to a count. */
export class MemoryReviewCache implements ReviewCache {
  readonly #entries = new Map<string, CachedReview>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<CachedReview | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Map order is insertion order: re-inserting makes it the most recent.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return structuredClone(entry);
  }

  async put(key: string, review: CachedReview): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, structuredClone(review));
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
