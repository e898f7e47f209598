/**
 * Part 1, over real HTTP: the same step reviews against the scripted model server enforcing a request
 * limit, by the seed's swarm and by this one (early stopping, and the full swarm), on time running `scale`
 * times faster so minutes of limits pass in seconds. Each run gets a fresh server (a full bucket).
 */
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { createChatReviewer } from '../../src/review/chat-reviewer.js';
import { presentEvidence } from '../../src/review/evidence.js';
import { contentEvidence } from '../../src/review/review-content.js';
import { limitsFor, resolveReviewSettings } from '../../src/review/review-settings.js';
import { ReviewSwarm } from '../../src/review/review-swarm.js';
import { type ModelServer, startModelServer } from '../../test/support/model-server/index.js';
import { mulberry32 } from '../scheduler/prng.js';
import { type ScaledClock, scaledClock } from './scaled-clock.js';
import { changeDiff, populationScript } from './scripted-population.js';
import { seedReview } from './seed-swarm.js';
import { queuedRate, TrackingLimiter } from './tracking-limiter.js';

export interface HttpPartOptions {
  reviews: number;
  requestsPerMinute: number;
  burst: number;
  scale: number;
  /** Model latency in simulated milliseconds. */
  latencyMs: number;
  accuracy: number;
  /** Share of the changes that are right. */
  goodShare: number;
  seed: number;
}

export interface HttpRun {
  name: string;
  requests: number;
  rateLimited: number;
  /** Simulated minutes from the first request to the last answer. */
  minutes: number;
  /** Requests per minute while work was queued, as a share of the limit (ours only). */
  queuedRate: number | undefined;
  callsPerReview: number;
  /** Verdicts that match whether the change was right. */
  correct: number;
  /** Wrong changes approved. */
  wrongApproved: number;
  /** Reviews that could not be made (too many abstentions: fails closed). */
  failed: number;
  /** Seed only: reviewers whose calls failed and counted as approvals. */
  failedOpen: number;
}

const keyName = 'BENCH_SWARM_KEY';
const environment = { [keyName]: 'sk-bench-swarm' };
const reviewerNames = ['alpha', 'beta', 'gamma'];

interface Change {
  good: boolean;
  diff: string;
}

export function changesFor(options: HttpPartOptions): Change[] {
  const random = mulberry32(options.seed);
  return Array.from({ length: options.reviews }, (_, index) => {
    const good = random() < options.goodShare;
    return { good, diff: changeDiff(index, good) };
  });
}

function specsFor(server: ModelServer): AgentSpec[] {
  return reviewerNames.map((name) => ({
    name,
    adapter: 'openai',
    command: '',
    args: [],
    env: {},
    passEnv: [],
    pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 60_000, maxMemoryBytes: 1e9, idleTimeoutMs: 60_000 },
    capabilities: ['review'],
    baseUrl: `${server.url}/v1`,
    model: `scripted-${name}`,
    apiKeyEnv: keyName,
  }));
}

async function serverFor(options: HttpPartOptions, clock: ScaledClock, seed: number): Promise<ModelServer> {
  return startModelServer({
    script: populationScript(options.accuracy, seed),
    latencyMs: options.latencyMs / clock.scale,
    rateLimit: { requestsPerMinute: options.requestsPerMinute, burst: options.burst, now: clock.now },
  });
}

function spanMinutes(server: ModelServer, clock: ScaledClock, endedAt: number): number {
  const first = server.requests[0]?.receivedAt ?? endedAt;
  return clock.simulated(endedAt - first) / 60_000;
}

export async function runSeed(options: HttpPartOptions, changes: readonly Change[]): Promise<HttpRun> {
  const clock = scaledClock(options.scale);
  const server = await serverFor(options, clock, options.seed + 1);
  const specs = specsFor(server);
  let calls = 0;
  let correct = 0;
  let wrongApproved = 0;
  let failedOpen = 0;
  try {
    for (const change of changes) {
      const evidence = presentEvidence(
        contentEvidence({ content: change.diff, source: 'change' }).evidence,
      ).text;
      const review = await seedReview(specs, 6, evidence, { clock, environment });
      calls += review.calls;
      failedOpen += review.failedOpen;
      if (review.approved === change.good) correct++;
      if (review.approved && !change.good) wrongApproved++;
    }
    return {
      name: 'seed: 6 × 3 calls, Promise.all, no limiter',
      requests: server.modelRequests().length + server.rateLimited,
      rateLimited: server.rateLimited,
      minutes: spanMinutes(server, clock, Date.now()),
      queuedRate: undefined,
      callsPerReview: calls / changes.length,
      correct,
      wrongApproved,
      failed: 0,
      failedOpen,
    };
  } finally {
    await server.close();
  }
}

export async function runOurs(
  options: HttpPartOptions,
  changes: readonly Change[],
  earlyStop: boolean,
): Promise<HttpRun> {
  const clock = scaledClock(options.scale);
  const server = await serverFor(options, clock, options.seed + 2);
  const settings = resolveReviewSettings({
    reviewers: reviewerNames,
    earlyStop,
    limits: {
      default: { requestsPerMinute: options.requestsPerMinute, burst: options.burst, maxConcurrency: 8 },
    },
  });
  const limits = limitsFor(settings, undefined, 'default');
  const limiter = new TrackingLimiter('bench', limits, { clock });
  const reviewers = specsFor(server).map((spec) =>
    createChatReviewer(spec, { clock, environment, limiter, random: Math.random }, settings),
  );
  const swarm = new ReviewSwarm(reviewers, settings, { clock });
  try {
    const outcomes = await Promise.all(
      changes.map((change, index) =>
        swarm.review({
          evidence: contentEvidence({ content: change.diff, source: 'change' }).evidence,
          runId: 'bench',
          stepId: `change-${index}`,
          attempt: 1,
          cwd: '/tmp',
          signal: new AbortController().signal,
        }),
      ),
    );
    const endedAt = Date.now();
    let correct = 0;
    let wrongApproved = 0;
    outcomes.forEach((outcome, index) => {
      const good = changes[index]?.good ?? false;
      if ((outcome.verdict === 'approved') === good && outcome.verdict !== 'failed') correct++;
      if (outcome.verdict === 'approved' && !good) wrongApproved++;
    });
    return {
      name: earlyStop ? 'ours: waves, early stop, limiter' : 'ours: full swarm, limiter',
      requests: server.modelRequests().length + server.rateLimited,
      rateLimited: server.rateLimited,
      minutes: spanMinutes(server, clock, endedAt),
      queuedRate: queuedRate(limiter.grants, options.requestsPerMinute, limits.burst ?? 0),
      callsPerReview: outcomes.reduce((sum, outcome) => sum + outcome.calls, 0) / outcomes.length,
      correct,
      wrongApproved,
      failed: outcomes.filter((outcome) => outcome.verdict === 'failed').length,
      failedOpen: 0,
    };
  } finally {
    await server.close();
  }
}
