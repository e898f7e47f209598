/** What an attempt's tokens cost: the agent's own figure, or tokens × the price of its model. */
import type { AgentUsage } from '../../agents/agent.js';
import type { StepUsage } from '../events.js';
import { type PriceTable, priceOf } from './price-table.js';

const perMillion = 1_000_000;

/**
 * `configuredModel` stands in when the agent does not say which model answered (the agent's `model:`).
 * Tokens of a model without a price get no cost and are flagged `costUnknown`, never guessed.
 */
export function pricedUsage(
  usage: AgentUsage,
  configuredModel: string | undefined,
  prices: PriceTable,
): StepUsage {
  const model = usage.model ?? configuredModel;
  const base: StepUsage = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...(usage.cachedInputTokens !== undefined && { cachedInputTokens: usage.cachedInputTokens }),
    ...(model !== undefined && { model }),
  };
  if (usage.costUsd !== undefined) return { ...base, costUsd: usage.costUsd, costSource: 'reported' };
  if (usage.inputTokens + usage.outputTokens === 0) return base;
  const price = model === undefined ? undefined : priceOf(model, prices);
  if (!price) return { ...base, costUnknown: true };
  // Cached input is part of the input count (every adapter reports it so) and has its own, lower rate.
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const costUsd =
    ((usage.inputTokens - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      usage.outputTokens * price.output) /
    perMillion;
  return { ...base, costUsd, costSource: 'price-table' };
}

/** Tokens a budget counts: input (cached included) plus output. */
export function tokensOf(usage: Pick<StepUsage, 'inputTokens' | 'outputTokens'>): number {
  return usage.inputTokens + usage.outputTokens;
}

/** What a successful step spent, for the history forecasts are drawn from. */
export function spendSampleOf(usage: StepUsage | undefined): { costUsd?: number; tokens?: number } {
  if (!usage) return {};
  return {
    ...(usage.costUsd !== undefined && !usage.costUnknown && { costUsd: usage.costUsd }),
    tokens: tokensOf(usage),
  };
}
