/**
 * The review swarm as a service: given the evidence, it answers from the cache or runs the reviewers in
 * waves, turning each answer into a vote (or an abstention: a failed call, a malformed vote, or quotes that
 * are not in the evidence), and reports the verdict with what it cost.
 */
import type { Clock } from '../support/clock.js';
import { type CitationCheck, citationIndex } from './bind-citations.js';
import { presentEvidence, type ReviewEvidence } from './evidence.js';
import { parseVote } from './parse-vote.js';
import { type ReviewCache, reviewCacheKey } from './review-cache.js';
import { promptVersion } from './review-prompts.js';
import type { ReviewSettings } from './review-settings.js';
import type { Reviewer, ReviewerAnswer, ReviewQuestion } from './reviewer.js';
import { ReviewerReliability } from './reviewer-reliability.js';
import { type ReviewVote, runSwarm } from './run-swarm.js';
import type { Tally, Verdict, VerdictRule } from './verdict.js';

export interface ReviewRequest {
  evidence: ReviewEvidence;
  runId: string;
  stepId: string;
  attempt: number;
  /** Where CLI reviewers run. */
  cwd: string;
  signal: AbortSignal;
  /** Each vote as it arrives (for a cached review: each vote of the review it repeats). */
  onVote?(vote: ReviewVote, cached: boolean): void;
}

export interface ReviewOutcome {
  verdict: Verdict;
  votes: ReviewVote[];
  tally: Tally;
  rule: VerdictRule;
  /** Reviewers started, of the swarm's size. */
  launched: number;
  stoppedEarly: boolean;
  cached: boolean;
  /** Model calls of the protocol made; requests include retries; rateLimited counts 429s. */
  calls: number;
  requests: number;
  rateLimited: number;
}

interface Slot {
  name: string;
  reviewer: Reviewer;
}

interface Cost {
  calls: number;
  requests: number;
  rateLimited: number;
}

/** What every reviewer of one review shares. */
interface Asking {
  request: ReviewRequest;
  /** The evidence as shown. */
  shown: string;
  check: (quotes: readonly string[]) => CitationCheck;
  cost: Cost;
}

function newCost(): Cost {
  return { calls: 0, requests: 0, rateLimited: 0 };
}

export class ReviewSwarm {
  readonly reviewers: readonly Reviewer[];
  readonly settings: ReviewSettings;
  readonly #cache: ReviewCache | undefined;
  readonly #clock: Clock;
  /** Each swarm member's accuracy, learned from the reviews recorded so far and from each new one. */
  readonly reliability: ReviewerReliability;
  /** Brings `reliability` up to date with outcomes recorded since (runs that ended meanwhile). */
  readonly #catchUp: () => void;

  constructor(
    reviewers: readonly Reviewer[],
    settings: ReviewSettings,
    deps: {
      clock: Clock;
      cache?: ReviewCache;
      reliability?: ReviewerReliability;
      catchUp?: () => void;
    },
  ) {
    this.reviewers = reviewers;
    this.settings = settings;
    this.#cache = settings.cache ? deps.cache : undefined;
    this.#clock = deps.clock;
    this.reliability = deps.reliability ?? new ReviewerReliability();
    this.#catchUp = deps.catchUp ?? (() => {});
  }

  /** Whether any reviewer can vote: a plan that needs review is refused without one. */
  get usable(): boolean {
    return this.reviewers.length > 0;
  }

  get rule(): VerdictRule {
    const { swarmSize, threshold, maxAbstain, margin } = this.settings;
    return { swarmSize, threshold, maxAbstain, margin };
  }

  async review(request: ReviewRequest): Promise<ReviewOutcome> {
    const rule = this.rule;
    const shown = presentEvidence(request.evidence);
    const slots = slotsOf(this.reviewers, rule.swarmSize);
    const key = reviewCacheKey({
      evidence: shown.text,
      reviewers: slots.map((slot) => `${slot.name} ${slot.reviewer.identity}`),
      rule,
      earlyStop: this.settings.earlyStop,
      requireEvidence: this.settings.requireEvidence,
      promptVersion,
    });
    const hit = await this.#cache?.get(key);
    if (hit) {
      for (const vote of hit.votes) request.onVote?.(vote, true);
      const nothing = { launched: 0, calls: 0, requests: 0, rateLimited: 0 };
      return { ...hit, ...nothing, rule, stoppedEarly: false, cached: true };
    }
    this.#catchUp();
    const asking: Asking = {
      request,
      shown: shown.text,
      check: citationIndex(shown.sections),
      cost: newCost(),
    };
    const run = await runSwarm({
      slots: slots.map((slot) => slot.name),
      rule,
      earlyStop: this.settings.earlyStop,
      signal: request.signal,
      onVote: (vote) => request.onVote?.(vote, false),
      ask: (index, signal) => this.#vote(slots[index] as Slot, signal, asking),
      accuracyOf: (index) => this.reliability.accuracyOf(slots[index]?.name ?? ''),
    });
    this.reliability.learn(run.votes, run.verdict);
    if (this.#cache && run.verdict !== 'failed') {
      const { verdict, votes, tally } = run;
      await this.#cache.put(key, { verdict, votes, tally, reviewedAt: this.#clock.now() });
    }
    return { ...run, rule, cached: false, ...asking.cost };
  }

  /** One reviewer's vote: its answer parsed and its quotes checked, or its abstention and why. */
  async #vote(slot: Slot, signal: AbortSignal, asking: Asking): Promise<ReviewVote> {
    const { request, cost } = asking;
    const answer = await this.#askInTime(slot, signal, {
      evidence: asking.shown,
      runId: request.runId,
      stepId: request.stepId,
      attempt: request.attempt,
      cwd: request.cwd,
      slot: slot.name,
    });
    cost.calls += answer.calls;
    cost.requests += answer.requests;
    cost.rateLimited += answer.rateLimited;
    if (!answer.result.ok) {
      const { failure } = answer.result;
      return abstain(slot.name, `the reviewer failed: ${failure.code}: ${failure.message}`, failure);
    }
    const parsed = parseVote(answer.result.text);
    if (!parsed.ok) return abstain(slot.name, `its vote was unusable: ${parsed.problem}`);
    const { vote } = parsed;
    if (!this.settings.requireEvidence) return { reviewer: slot.name, ...vote };
    const cited = asking.check(vote.evidence);
    if (!cited.ok) return abstain(slot.name, `its ${vote.vote} vote was discarded: ${cited.problem}`);
    return { reviewer: slot.name, ...vote, evidence: cited.quotes };
  }

  /** A reviewer that does not answer in time is stopped, and abstains. */
  async #askInTime(
    slot: Slot,
    swarmSignal: AbortSignal,
    question: Omit<ReviewQuestion, 'signal'>,
  ): Promise<ReviewerAnswer> {
    const timeoutMs = this.settings.reviewerTimeoutMs;
    const controller = new AbortController();
    const stop = (): void => controller.abort(swarmSignal.reason);
    if (swarmSignal.aborted) stop();
    swarmSignal.addEventListener('abort', stop, { once: true });
    let timedOut = false;
    const cancel = this.#clock.setTimer(timeoutMs, () => {
      timedOut = true;
      controller.abort(new Error('the reviewer took too long'));
    });
    try {
      const answer = await slot.reviewer.ask({ ...question, signal: controller.signal });
      if (!timedOut) return answer;
      const seconds = Math.round(timeoutMs / 1_000);
      const message = `no answer within ${seconds} s (review.reviewerTimeout)`;
      return { ...answer, result: { ok: false, failure: { code: 'TIMEOUT', kind: 'transient', message } } };
    } finally {
      cancel();
      swarmSignal.removeEventListener('abort', stop);
    }
  }
}

/** The swarm's members: the reviewers in turn; a reviewer used more than once gets `#1`, `#2`, … */
export function slotsOf(reviewers: readonly Reviewer[], size: number): Slot[] {
  if (reviewers.length === 0) return [];
  const repeated = size > reviewers.length;
  return Array.from({ length: size }, (_, index) => {
    const reviewer = reviewers[index % reviewers.length] as Reviewer;
    const round = Math.floor(index / reviewers.length) + 1;
    return { name: repeated ? `${reviewer.name}#${round}` : reviewer.name, reviewer };
  });
}

function abstain(reviewer: string, reason: string, failure?: ReviewVote['failure']): ReviewVote {
  return { reviewer, vote: 'abstain', confidence: 0, reason, evidence: [], ...(failure && { failure }) };
}
