/**
 * The reviewer swarm as the runtime wires it: the configured reviewers (or, when none are named, one
 * usable agent per vendor), every model call behind the process's shared provider limiters, verdicts
 * cached in the state database across processes, the engine's review stage (before the merge), and the
 * front ends' `reviewCode`.
 */
import { join } from 'node:path';
import type { AgentSpec } from '../agents/agent-spec.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { StageContext, StepStage } from '../engine/step-hooks.js';
import type { ProviderLimiters } from '../limits/provider-limiter.js';
import { buildReviewers, defaultReviewerNames } from '../review/build-reviewers.js';
import type { StepChanges } from '../review/gather-evidence.js';
import { OutcomeLearner } from '../review/outcome-learner.js';
import { outcomeLogOf } from '../review/outcome-log.js';
import { type CachedReview, parseCachedReview } from '../review/review-cache.js';
import { createReviewCode, type ReviewCode } from '../review/review-code.js';
import type { ReviewSettings } from '../review/review-settings.js';
import { createReviewStage } from '../review/review-stage.js';
import { ReviewSwarm } from '../review/review-swarm.js';
import { reliabilityFrom } from '../review/reviewer-reliability.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';

export interface ReviewRuntime {
  swarm: ReviewSwarm;
  /** The reviewer names asked for: configured, or the defaults. */
  names: string[];
  /** Whether `names` came from `review.reviewers` (else they are the defaults). */
  configured: boolean;
  /** Why some of the names cannot review here, each with its fix. */
  problems: string[];
  /** The engine stage; with no usable reviewer it fails each reviewed step closed, naming the fix. */
  stage: StepStage;
  /** Absent when no reviewer is usable. */
  reviewCode: ReviewCode | undefined;
  /** An engine observer: a run that ends teaches the reviewers what became of the work they approved. */
  onEvent: OutcomeLearner['onEvent'];
}

export interface ReviewRuntimeParts {
  settings: ReviewSettings;
  specs: ReadonlyMap<string, AgentSpec>;
  agents: AgentRegistry;
  limiters: ProviderLimiters;
  clock: Clock;
  environment: NodeJS.ProcessEnv;
  store: SqliteStore;
  workspace: string;
  stateDir: string;
  logger: Logger;
  changesOf(context: StageContext): Promise<StepChanges | undefined>;
}

export function openReviewRuntime(parts: ReviewRuntimeParts): ReviewRuntime {
  const { settings } = parts;
  const configured = settings.reviewers.length > 0;
  const names = configured ? settings.reviewers : defaultReviewerNames(parts.specs);
  const built = buildReviewers(
    names,
    { specs: parts.specs, agents: parts.agents },
    {
      clock: parts.clock,
      environment: parts.environment,
      limiters: parts.limiters,
      logsDir: (runId) => join(parts.stateDir, 'review-logs', runId),
    },
    settings,
  );
  const cache = parts.store.reviewCache<CachedReview>({ parse: parseCachedReview });
  // The reviewers' records are the reviews stored so far (each vote against the verdict it met) and what
  // became of the work they approved in the workspace's latest runs (its check, its step's fate), kept up
  // to date as runs end.
  const reliability = reliabilityFrom(cache.all());
  const learner = new OutcomeLearner(reliability, outcomeLogOf(parts.store, parts.workspace), parts.logger);
  learner.catchUp();
  const swarm = new ReviewSwarm(built.reviewers, settings, {
    clock: parts.clock,
    cache,
    reliability,
    catchUp: () => learner.refresh(),
  });
  return {
    swarm,
    names,
    configured,
    problems: built.problems,
    stage: createReviewStage({ swarm, changesOf: parts.changesOf }),
    reviewCode: swarm.usable ? createReviewCode(swarm, parts.workspace) : undefined,
    onEvent: learner.onEvent,
  };
}
