/** Budgets, spend and forecasts in the words terminals show. */
import type { PlanForecast } from '../../engine/budget/forecast.js';
import { forecastAgentSteps, planForecastText, stepForecastText } from '../../engine/budget/forecast-text.js';
import { formatBudgetUsd } from '../../engine/budget/format-usd.js';
import type { Spend } from '../../engine/budget/spend.js';
import type { RunState } from '../../engine/run-state.js';
import type { Budget } from '../../protocol/plan-types.js';
import { terminalSafe } from '../../support/control-characters.js';
import { formatTokens } from './usage-text.js';

export const formatUsd = formatBudgetUsd;

/** `$5` / `2M tokens` / `$5 or 2M tokens`. */
export function budgetText(budget: Budget): string {
  const parts = [
    ...(budget.usd !== undefined ? [formatUsd(budget.usd)] : []),
    ...(budget.tokens !== undefined ? [`${formatTokens(budget.tokens)} tokens`] : []),
  ];
  return parts.join(' or ');
}

/** `$0.42 and 12.3k tokens` (+ `, 3.1k tokens of unknown cost`). */
export function spendText(spent: Spend): string {
  const unknown =
    spent.uncostedTokens > 0 ? ` (${formatTokens(spent.uncostedTokens)} of them cost unknown)` : '';
  return `${formatUsd(spent.usd)} and ${formatTokens(spent.tokens)} tokens${unknown}`;
}

/** `spent $0.42 and 12.3k tokens of a $5 budget`, or without a budget just what was spent. */
export function spendLine(state: Pick<RunState, 'budget' | 'spent'>): string | undefined {
  if (!state.spent && !state.budget) return undefined;
  const spent = spendText(state.spent ?? { usd: 0, tokens: 0, uncostedTokens: 0 });
  return state.budget ? `spent ${spent} of a ${budgetText(state.budget)} budget` : `spent ${spent}`;
}

/** What to tell a person whose run paused at its budget. */
export function budgetReachedText(state: RunState): string | undefined {
  const reached = state.budgetReached;
  if (!reached) return undefined;
  return `budget reached: spent ${spendText(reached.spent)} of ${budgetText(reached.budget)}; ${reached.waiting} step(s) wait. Raise it to continue: ai-collab resume ${state.runId} --budget <more>`;
}

/**
 * The forecast as shown for approval: the plan's range and each agent step's (or "no history yet"),
 * and the budget it is held to.
 */
export function forecastLines(forecast: PlanForecast, budget: Budget | undefined): string[] {
  const agentSteps = forecastAgentSteps(forecast);
  if (agentSteps.length === 0) return budget ? [`Budget ${budgetText(budget)}.`] : [];
  const lines = [`Forecast: ${planForecastText(forecast)}${budget ? `; budget ${budgetText(budget)}` : ''}.`];
  for (const step of agentSteps.slice(0, maxForecastLines)) {
    lines.push(
      `  ${terminalSafe(step.stepId)} (${terminalSafe(step.agent)} ${step.action}): ${stepForecastText(step)}`,
    );
  }
  if (agentSteps.length > maxForecastLines)
    lines.push(`  … ${agentSteps.length - maxForecastLines} more steps`);
  return lines;
}

const maxForecastLines = 20;
