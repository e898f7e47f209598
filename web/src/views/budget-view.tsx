/**
 * The run's spend against its budget, and, when the run paused at its budget, a way to raise it: the run
 * then continues (in the server's process). Spend comes from the projection, like everything shown here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PlanForecast } from '../../../src/engine/budget/forecast.js';
import { type RunState, terminalRunStatuses } from '../../../src/engine/run-state.js';
import type { ApiClient } from '../model/api-client.js';
import { forecastText, formatTokens, formatUsd } from './format.js';

export function BudgetView({ api, state }: { api: ApiClient; state: RunState }) {
  const [amount, setAmount] = useState('');
  const [message, setMessage] = useState<string>();
  const forecast = useRemainingForecast(api, state);
  if (!state.spent && !state.budget) return null;
  const spent = state.spent ?? { usd: 0, tokens: 0, uncostedTokens: 0 };
  const budget = state.budget;
  const limit = [
    ...(budget?.usd !== undefined ? [formatUsd(budget.usd)] : []),
    ...(budget?.tokens !== undefined ? [`${formatTokens(budget.tokens)} tokens`] : []),
  ].join(' or ');
  const raise = async (event: Event) => {
    event.preventDefault();
    const usd = Number(amount);
    if (!(usd > 0)) {
      setMessage('Enter a budget in dollars, more than 0.');
      return;
    }
    try {
      await api.post(`/api/runs/${encodeURIComponent(state.runId)}/budget`, { usd });
      setMessage(undefined);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section class="budget" aria-label="Budget and spend">
      <p>
        {'Spent '}
        <strong>{formatUsd(spent.usd)}</strong>
        {` · ${formatTokens(spent.tokens)} tokens`}
        {spent.uncostedTokens > 0 && ` (${formatTokens(spent.uncostedTokens)} of them cost unknown)`}
        {limit && ` of a ${limit} budget`}
      </p>
      {forecast && forecast.steps.length > 0 && (
        <p data-testid="budget-forecast">
          {`The ${forecast.steps.length} step(s) still to run will likely cost ${forecastText(forecast)}.`}
        </p>
      )}
      {state.budgetReached && (
        <form onSubmit={(event) => void raise(event)}>
          <p role="status">
            {`Paused: budget reached; ${state.budgetReached.waiting} step(s) wait. Raise it to continue.`}
          </p>
          <label>
            {'New budget in dollars '}
            <input
              type="number"
              min="0"
              step="0.01"
              value={amount}
              onInput={(event) => setAmount((event.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">Raise and continue</button>
        </form>
      )}
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}

/** What the steps still to run will likely cost (from past steps), re-read as steps finish; none once it ended. */
function useRemainingForecast(api: ApiClient, state: RunState): PlanForecast | undefined {
  const [forecast, setForecast] = useState<PlanForecast>();
  const ended = terminalRunStatuses.has(state.status);
  const settled = state.counts.succeeded + state.counts.failed;
  useEffect(() => {
    if (ended || (!state.spent && !state.budget)) return setForecast(undefined);
    let stopped = false;
    api
      .get<{ forecast: PlanForecast }>(`/api/runs/${encodeURIComponent(state.runId)}/plan`)
      .then((answer) => !stopped && setForecast(answer.forecast))
      .catch(() => undefined);
    return () => {
      stopped = true;
    };
  }, [state.runId, ended, settled, state.budget !== undefined]);
  return forecast;
}
