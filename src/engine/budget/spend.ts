/**
 * What a run has spent, against its budget. Pure and free of Node APIs: the projection keeps `spent`
 * up to date in every front end (the dashboard included) from the usage its events carry.
 */
import type { Budget } from '../../protocol/plan-types.js';
import type { StepUsage } from '../events.js';

export interface Spend {
  /** Dollars of every priced token (reported by the agent or from the price table). */
  usd: number;
  /** Input (cached included) plus output tokens. */
  tokens: number;
  /** Tokens of models without a price: spent, but not in `usd`. */
  uncostedTokens: number;
}

export const noSpend: Spend = { usd: 0, tokens: 0, uncostedTokens: 0 };

export function addSpend(spent: Spend | undefined, usage: StepUsage): Spend {
  const base = spent ?? noSpend;
  const tokens = usage.inputTokens + usage.outputTokens;
  return {
    usd: base.usd + (usage.costUsd ?? 0),
    tokens: base.tokens + tokens,
    uncostedTokens: base.uncostedTokens + (usage.costUsd === undefined && tokens > 0 ? tokens : 0),
  };
}

/** Whether `spent` has reached the budget in dollars or in tokens. */
export function budgetReached(budget: Budget | undefined, spent: Spend): boolean {
  if (!budget) return false;
  return (
    (budget.usd !== undefined && spent.usd >= budget.usd) ||
    (budget.tokens !== undefined && spent.tokens >= budget.tokens)
  );
}

/** Whether spending `more` on top of `spent` would pass the budget. */
export function wouldPassBudget(budget: Budget | undefined, spent: Spend, more: Spend): boolean {
  if (!budget) return false;
  if (budgetReached(budget, spent)) return true;
  return (
    (budget.usd !== undefined && spent.usd + more.usd > budget.usd) ||
    (budget.tokens !== undefined && spent.tokens + more.tokens > budget.tokens)
  );
}

/** `budget` with `change` on top: a raise names what it changes and keeps the rest. */
export function mergeBudget(budget: Budget | undefined, change: Budget): Budget {
  return { ...budget, ...change };
}
