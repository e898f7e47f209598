import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forecastPlan } from '../../../src/engine/budget/forecast.js';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { parsePlanText } from '../../../src/plan/load-plan.js';
import type { SpendSample } from '../../../src/store/event-store.js';
import { expectPlanText } from '../../src/api/response-checks.js';
import { approvalForecast, approvalMessage, withForecast } from '../../src/runs/approval-forecast.js';

const { steps } = parsePlanText(
  `name: forecast
steps:
  - { id: impl, agent: claude, action: write, prompt: "add" }
  - { id: docs, agent: codex, action: write, prompt: "docs" }
  - { id: test, agent: shell, run: "npm test", needs: [impl] }
`,
  'plan.yaml',
  { agents: agentCatalogOf(['claude', 'codex', 'shell']) },
);

/** Past claude writes cost $0.02, $0.04 and $0.06; codex has never run. */
function history(agent: string, action: string): SpendSample[] {
  if (agent !== 'claude' || action !== 'write') return [];
  return [0.02, 0.04, 0.06].map((costUsd) => ({ costUsd, tokens: 1_000 }));
}

/** The plan answer as GET /api/runs/:id/plan sends it: the server's own forecast, through JSON. */
function planAnswer(budget: { usd: number } | null) {
  return JSON.parse(
    JSON.stringify({
      status: 'awaiting_approval',
      yaml: 'name: x\n',
      forecast: forecastPlan(steps, history),
      budget,
    }),
  ) as unknown;
}

test('the approval notification says what the plan will likely cost, and each agent step its range or no history yet', () => {
  const forecast = approvalForecast(expectPlanText(planAnswer({ usd: 5 })));
  assert.ok(forecast);
  assert.equal(
    forecast.headline,
    'Forecast: $0.030–0.050 (median $0.040) + 1 step(s) with no history yet; budget $5.00.',
  );
  assert.equal(
    approvalMessage('add things', 'policy: always', forecast.headline),
    'AI Collab: run "add things" is waiting for approval (policy: always). Forecast: $0.030–0.050 (median $0.040) + 1 step(s) with no history yet; budget $5.00.',
  );
  assert.deepEqual(
    [...forecast.steps],
    [
      ['impl', 'forecast $0.030–0.050 from 3 past step(s)'],
      ['docs', 'forecast no history yet'],
    ],
    'the shell step calls no model and gets no forecast',
  );
});

test('a step in the Runs view shows its forecast before what best-of-N and failover add', () => {
  const forecast = approvalForecast(expectPlanText(planAnswer(null)));
  const impl = forecast?.steps.get('impl');
  assert.deepEqual(withForecast({ description: 'moved to codex', tooltip: ['moved from claude'] }, impl), {
    description: 'forecast $0.030–0.050 from 3 past step(s), moved to codex',
    tooltip: ['forecast $0.030–0.050 from 3 past step(s)', 'moved from claude'],
  });
  assert.deepEqual(withForecast({ tooltip: [] }, undefined), { tooltip: [] });
});

test('a plan answer without a forecast still prompts, with no forecast; a malformed one is refused', () => {
  assert.equal(approvalForecast(expectPlanText({ status: 'awaiting_approval', yaml: 'x' })), undefined);
  assert.equal(approvalMessage('r', undefined, undefined), 'AI Collab: run "r" is waiting for approval.');
  assert.throws(
    () => expectPlanText({ yaml: 'x', forecast: { steps: [{ stepId: 'a', agent: 'claude' }], usd: {} } }),
    /not a valid forecast range/,
  );
});
