/** Shape checks at the boundary: an answer that is not what the contract says is a BAD_RESPONSE, not a crash later. */
import { ExtensionError } from '../support/errors.js';
import type {
  Budget,
  CostRange,
  Health,
  LoginLink,
  PlanForecast,
  PlannedRun,
  PlanText,
  ReviewResult,
  ReviewVote,
  RunSummary,
} from './api-types.js';

type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(what);
  return value as Json;
}

function bad(what: string): ExtensionError {
  return new ExtensionError('BAD_RESPONSE', `the server's answer is not a valid ${what}`);
}

export function expectHealth(value: unknown): Health {
  const body = object(value, 'health answer');
  if (body.ok !== true || typeof body.pid !== 'number') throw bad('health answer');
  return { ok: true, version: String(body.version ?? ''), pid: body.pid };
}

export function expectRuns(value: unknown): RunSummary[] {
  const runs = object(value, 'runs list').runs;
  if (!Array.isArray(runs)) throw bad('runs list');
  return runs.map((run) => {
    const summary = object(run, 'run summary');
    if (typeof summary.runId !== 'string' || typeof summary.status !== 'string') throw bad('run summary');
    return summary as unknown as RunSummary;
  });
}

export function expectStartedRun(value: unknown): PlannedRun {
  const body = object(value, 'started run');
  if (typeof body.runId !== 'string' || typeof body.status !== 'string') throw bad('started run');
  return body as unknown as PlannedRun;
}

export function expectReview(value: unknown): ReviewResult {
  const body = object(value, 'review');
  if ((body.verdict !== 'approved' && body.verdict !== 'rejected') || !Array.isArray(body.votes))
    throw bad('review');
  const votes: ReviewVote[] = body.votes.map((entry) => {
    const vote = object(entry, 'review vote');
    return {
      reviewer: String(vote.reviewer ?? '?'),
      vote: String(vote.vote ?? '?'),
      confidence: typeof vote.confidence === 'number' ? vote.confidence : 0,
      reason: String(vote.reason ?? ''),
    };
  });
  return {
    verdict: body.verdict,
    score: typeof body.score === 'number' ? body.score : 0,
    votes,
    ...(typeof body.problem === 'string' && { problem: body.problem }),
  };
}

export function expectPlanText(value: unknown): PlanText {
  const body = object(value, 'plan');
  if (typeof body.yaml !== 'string') throw bad('plan');
  const budget = body.budget === null || body.budget === undefined ? undefined : expectBudget(body.budget);
  return {
    status: String(body.status ?? ''),
    yaml: body.yaml,
    ...(body.forecast !== undefined && { forecast: expectForecast(body.forecast) }),
    ...(budget && { budget }),
  };
}

function amount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(what);
  return value;
}

function optionalAmount(body: Json, key: string, what: string): number | undefined {
  return body[key] === undefined ? undefined : amount(body[key], what);
}

function expectBudget(value: unknown): Budget {
  const body = object(value, 'budget');
  const usd = optionalAmount(body, 'usd', 'budget');
  const tokens = optionalAmount(body, 'tokens', 'budget');
  return { ...(usd !== undefined && { usd }), ...(tokens !== undefined && { tokens }) };
}

function expectSpread(value: unknown): PlanForecast['usd'] {
  const range = object(value, 'forecast range');
  return {
    low: amount(range.low, 'forecast range'),
    median: amount(range.median, 'forecast range'),
    high: amount(range.high, 'forecast range'),
  };
}

function expectRange(value: unknown): CostRange {
  const samples = object(value, 'forecast range').samples;
  return { ...expectSpread(value), samples: amount(samples, 'forecast range') };
}

/** The plan's forecast as the server computes it (src/engine/budget/forecast.ts); nothing is recomputed here. */
export function expectForecast(value: unknown): PlanForecast {
  const body = object(value, 'forecast');
  if (!Array.isArray(body.steps)) throw bad('forecast');
  const steps = body.steps.map((entry) => {
    const step = object(entry, 'step forecast');
    if (typeof step.stepId !== 'string' || typeof step.agent !== 'string') throw bad('step forecast');
    return {
      stepId: step.stepId,
      agent: step.agent,
      action: String(step.action ?? 'execute'),
      ...(step.usd !== undefined && { usd: expectRange(step.usd) }),
      ...(step.tokens !== undefined && { tokens: expectRange(step.tokens) }),
    };
  });
  return { steps, usd: expectSpread(body.usd), withoutHistory: amount(body.withoutHistory, 'forecast') };
}

export function expectLoginLink(value: unknown): LoginLink {
  const body = object(value, 'sign-in link');
  if (typeof body.url !== 'string' || typeof body.expiresAt !== 'number') throw bad('sign-in link');
  return { url: body.url, expiresAt: body.expiresAt };
}
