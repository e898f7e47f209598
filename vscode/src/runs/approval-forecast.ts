/**
 * What a waiting run will likely cost, in the words of the approval notification and the Runs view: the
 * plan's range and each agent step's ("no history yet" when no past step of its agent and action has a
 * cost). The figures are the server's forecast (GET /api/runs/:id/plan); the words are the terminal's own
 * (src/engine/budget/forecast-text.ts), so every front end says the same. Free of the vscode API: unit-tested.
 */

import {
  forecastAgentSteps,
  planForecastText,
  stepForecastText,
} from '../../../src/engine/budget/forecast-text.js';
import { formatBudgetUsd } from '../../../src/engine/budget/format-usd.js';
import type { PlanText } from '../api/api-types.js';
import type { StepChoice } from './step-choice.js';

export interface ApprovalForecast {
  /** `Forecast: $0.02–0.05 (median $0.03) + 1 step(s) with no history yet; budget $5.` */
  headline: string;
  /** Each agent step's forecast by step id; shell steps call no model and have none. */
  steps: ReadonlyMap<string, string>;
}

export function approvalForecast(plan: PlanText): ApprovalForecast | undefined {
  const forecast = plan.forecast;
  if (!forecast) return undefined;
  const agentSteps = forecastAgentSteps(forecast);
  // A plan of shell steps only costs nothing: there is nothing to forecast.
  if (agentSteps.length === 0) return undefined;
  const budget = plan.budget?.usd !== undefined ? `; budget ${formatBudgetUsd(plan.budget.usd)}` : '';
  const headline = `Forecast: ${planForecastText(forecast)}${budget}.`;
  const steps = new Map(
    agentSteps.map((step) => [step.stepId, `forecast ${stepForecastText(step)}`] as const),
  );
  return { headline, steps };
}

/** The approval notification's text: the run, why it waits, and the forecast's headline when there is one. */
export function approvalMessage(
  name: string,
  reason: string | undefined,
  forecast: string | undefined,
): string {
  const why = reason ? ` (${reason})` : '';
  return `AI Collab: run "${name}" is waiting for approval${why}.${forecast ? ` ${forecast}` : ''}`;
}

/** A step's Runs-view additions with its forecast put in front (description and tooltip). */
export function withForecast(choice: StepChoice, forecast: string | undefined): StepChoice {
  if (!forecast) return choice;
  return {
    description: choice.description ? `${forecast}, ${choice.description}` : forecast,
    tooltip: [forecast, ...choice.tooltip],
  };
}
