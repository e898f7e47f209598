/**
 * What a plan waiting for approval will do and why: the planner's analysis, how sure it is, what could go
 * wrong, the cost forecast, and its steps.
 */
import type { PlanForecast } from '../../../src/engine/budget/forecast.js';
import { forecastText, formatUsd, usdRange } from './format.js';
import type { PlanResponse } from './use-approval.js';

/** Plans list at most this many steps here: a person reads the first ones, the rest are counted. */
const listedSteps = 300;

interface Risk {
  severity?: string;
  category?: string;
  description?: string;
  mitigation?: string;
}

interface PlannerNotes {
  analysis?: {
    understanding?: string;
    chosenApproach?: string;
    rationale?: string;
    constraints?: string[];
  };
  confidence?: Record<string, number>;
  risks?: Risk[];
}

/** Why the plan waits, the planner's analysis, confidence and risks, and the cost forecast. */
export function PlanRationale({ plan }: { plan: PlanResponse }) {
  const meta = (plan.plan.meta ?? {}) as PlannerNotes;
  return (
    <>
      {plan.approvalReason && <p class="reason">{`Why: ${plan.approvalReason}`}</p>}
      {meta.analysis && (
        <div class="analysis">
          {meta.analysis.understanding && <p>{meta.analysis.understanding}</p>}
          {meta.analysis.chosenApproach && <p>{`Approach: ${meta.analysis.chosenApproach}`}</p>}
          {meta.analysis.rationale && <p>{`Rationale: ${meta.analysis.rationale}`}</p>}
        </div>
      )}
      {meta.confidence && <Confidence values={meta.confidence} />}
      {meta.risks && meta.risks.length > 0 && <Risks risks={meta.risks} />}
      {plan.forecast && (
        <p class="forecast">
          {`Forecast: ${forecastText(plan.forecast)}${plan.budget?.usd !== undefined ? `; budget ${formatUsd(plan.budget.usd)}` : ''}`}
        </p>
      )}
    </>
  );
}

export function PlanSteps({ plan }: { plan: PlanResponse }) {
  const { steps } = plan.plan;
  return (
    <>
      <table class="plan-steps">
        <thead>
          <tr>
            <th>step</th>
            <th>agent</th>
            <th>does</th>
            <th>needs</th>
            <th>forecast</th>
          </tr>
        </thead>
        <tbody>
          {steps.slice(0, listedSteps).map((step) => (
            <tr key={step.id}>
              <td>{String(step.label)}</td>
              <td>{`${step.agent}${step.action ? ` · ${step.action}` : ''}`}</td>
              <td>{step.run ?? step.prompt ?? step.description ?? step.target ?? ''}</td>
              <td>{step.needs.join(', ')}</td>
              <td>{forecastOf(plan.forecast, step.id)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {steps.length > listedSteps && <p class="muted">{`…and ${steps.length - listedSteps} more steps`}</p>}
    </>
  );
}

function Risks({ risks }: { risks: Risk[] }) {
  return (
    <ul class="risks">
      {risks.map((risk, index) => (
        <li key={index} class={`risk risk-${risk.severity ?? 'unknown'}`}>
          <strong>{`${risk.severity ?? 'risk'}${risk.category ? ` · ${risk.category}` : ''}`}</strong>
          {` ${risk.description ?? ''}`}
          {risk.mitigation && <p class="muted">{`Mitigation: ${risk.mitigation}`}</p>}
        </li>
      ))}
    </ul>
  );
}

function Confidence({ values }: { values: Record<string, number> }) {
  return (
    <div class="confidence">
      {Object.entries(values)
        .filter(([, value]) => typeof value === 'number')
        .map(([name, value]) => (
          <div class="bar-row" key={name}>
            <span>{name.replace(/([A-Z])/g, ' $1').toLowerCase()}</span>
            <span class="bar">
              <span class="fill" style={{ width: `${Math.round(value * 100)}%` }} />
            </span>
            <span>{`${Math.round(value * 100)}%`}</span>
          </div>
        ))}
    </div>
  );
}

function forecastOf(forecast: PlanForecast | undefined, stepId: string): string {
  const step = forecast?.steps.find((candidate) => candidate.stepId === stepId);
  if (!step) return '';
  return step.usd ? usdRange(step.usd) : 'no history yet';
}
