/**
 * What a plan will likely cost, before it runs: per step, the spread of what past successful steps of the
 * same agent and action cost (25th percentile, median, 75th), and the plan's sum. A step with no such
 * history says so; nothing is guessed for it.
 */
import type { StepDefinition } from '../../protocol/plan-types.js';
import type { SpendSample } from '../../store/event-store.js';

export interface CostRange {
  low: number;
  median: number;
  high: number;
  /** Past steps the range is drawn from. */
  samples: number;
}

export interface StepForecast {
  stepId: string;
  agent: string;
  action: string;
  /** Dollars; absent when no past step of this agent and action has a known cost ("no history yet"). */
  usd?: CostRange;
  /** Tokens (input plus output), from the same history. */
  tokens?: CostRange;
}

export interface PlanForecast {
  steps: StepForecast[];
  /** Sum over the steps that have history. */
  usd: { low: number; median: number; high: number };
  /** Steps without history: the sum leaves them out. */
  withoutHistory: number;
}

/** Past spend of an agent and action, newest first. */
export type SpendHistory = (agent: string, action: string) => readonly SpendSample[];

/** One past step is enough for a range (a point); more make it a spread. */
const minimumSamples = 1;

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

export function costRange(values: readonly number[]): CostRange | undefined {
  if (values.length < minimumSamples) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    low: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    high: quantile(sorted, 0.75),
    samples: sorted.length,
  };
}

/** A shell step calls no model: it costs nothing, history or not. */
const freeAgents = new Set(['shell']);

export function forecastStep(step: StepDefinition, history: SpendHistory): StepForecast {
  const action = step.action ?? 'execute';
  const base = { stepId: step.id, agent: step.agent, action };
  if (freeAgents.has(step.agent)) {
    const zero = { low: 0, median: 0, high: 0, samples: 0 };
    return { ...base, usd: zero, tokens: zero };
  }
  const samples = history(step.agent, action);
  const usd = costRange(samples.flatMap((sample) => (sample.costUsd === null ? [] : [sample.costUsd])));
  const tokens = costRange(samples.flatMap((sample) => (sample.tokens === null ? [] : [sample.tokens])));
  const cap = step.budget?.usd;
  // A step cannot spend more than its own cap: the range stops there.
  const capped =
    usd && cap !== undefined
      ? {
          ...usd,
          low: Math.min(usd.low, cap),
          median: Math.min(usd.median, cap),
          high: Math.min(usd.high, cap),
        }
      : usd;
  return { ...base, ...(capped && { usd: capped }), ...(tokens && { tokens }) };
}

export function forecastPlan(steps: readonly StepDefinition[], history: SpendHistory): PlanForecast {
  const forecasts = steps.map((step) => forecastStep(step, history));
  const usd = { low: 0, median: 0, high: 0 };
  let withoutHistory = 0;
  for (const forecast of forecasts) {
    if (!forecast.usd) {
      withoutHistory++;
      continue;
    }
    usd.low += forecast.usd.low;
    usd.median += forecast.usd.median;
    usd.high += forecast.usd.high;
  }
  return { steps: forecasts, usd, withoutHistory };
}

/**
 * The dollars and tokens the scheduler sets aside for a step about to start: its median, else its own
 * cap, else nothing (a step with no history and no cap is only held back once the budget is reached).
 */
export function expectedSpend(forecast: StepForecast, step: StepDefinition): { usd: number; tokens: number } {
  return {
    usd: forecast.usd?.median ?? step.budget?.usd ?? 0,
    tokens: forecast.tokens?.median ?? step.budget?.tokens ?? 0,
  };
}
