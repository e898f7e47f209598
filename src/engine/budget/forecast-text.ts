/**
 * A forecast in words, the same in every front end that shows it as text (the terminal's approval prompt,
 * the VS Code extension's): a range of dollars, one step's forecast, the plan's. Browser-safe, no Node API.
 */
import type { PlanForecast, StepForecast } from './forecast.js';
import { formatBudgetUsd } from './format-usd.js';

/** `$0.020–0.050` (or one figure when the spread is nil). */
export function rangeText(range: { low: number; high: number }): string {
  return range.low === range.high
    ? formatBudgetUsd(range.low)
    : `${formatBudgetUsd(range.low)}–${formatBudgetUsd(range.high).slice(1)}`;
}

/** One step's forecast: `$0.020–0.050 from 4 past step(s)`, or `no history yet`. */
export function stepForecastText(step: StepForecast): string {
  return step.usd ? `${rangeText(step.usd)} from ${step.usd.samples} past step(s)` : 'no history yet';
}

/** Steps that call a model; a shell step costs nothing and is not forecast. */
export function forecastAgentSteps(forecast: PlanForecast): StepForecast[] {
  return forecast.steps.filter((step) => step.agent !== 'shell');
}

/** The plan's forecast: `$0.030–0.050 (median $0.040) + 1 step(s) with no history yet`. */
export function planForecastText(forecast: PlanForecast): string {
  const withHistory = forecastAgentSteps(forecast).length - forecast.withoutHistory;
  if (withHistory === 0) return 'no history yet for any step';
  const unknown =
    forecast.withoutHistory > 0 ? ` + ${forecast.withoutHistory} step(s) with no history yet` : '';
  return `${rangeText(forecast.usd)} (median ${formatBudgetUsd(forecast.usd.median)})${unknown}`;
}
