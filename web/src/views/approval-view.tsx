/**
 * The plan waiting for a person: what it will do and why, how sure the planner is and what could go
 * wrong; approve it as is, edit it first, or reject it with a reason.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PlanForecast } from '../../../src/engine/budget/forecast.js';
import type { Budget, PlanDefinition } from '../../../src/protocol/plan-types.js';
import { type ApiClient, ApiError } from '../model/api-client.js';
import { forecastText, formatUsd, usdRange } from './format.js';

interface PlanResponse {
  plan: PlanDefinition;
  yaml: string;
  approvalReason: string | null;
  /** What the steps will likely cost, from past steps of the same agent and action. */
  forecast?: PlanForecast;
  budget?: Budget | null;
}

interface Risk {
  severity?: string;
  category?: string;
  description?: string;
  mitigation?: string;
}

export function ApprovalView({ api, runId }: { api: ApiClient; runId: string }) {
  const [plan, setPlan] = useState<PlanResponse>();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [message, setMessage] = useState<string>();
  const base = `/api/runs/${encodeURIComponent(runId)}`;
  useEffect(() => {
    api
      .get<PlanResponse>(`${base}/plan`)
      .then((response) => {
        setPlan(response);
        setText(response.yaml);
      })
      .catch((error: unknown) => setMessage(String(error)));
  }, [base]);
  if (!plan) return <section class="approval">Loading the plan…</section>;

  const decide = async (decision: 'approve' | 'reject', edited?: string) => {
    setProblems([]);
    try {
      await api.post(`${base}/${decision}`, {
        ...(reason.trim() !== '' && { reason: reason.trim() }),
        ...(edited !== undefined && { plan: edited }),
      });
      setMessage(decision === 'approve' ? 'Approved: the run starts now.' : 'Rejected.');
    } catch (error) {
      if (error instanceof ApiError) {
        setMessage(error.message);
        setProblems([...error.problems]);
      } else setMessage(String(error));
    }
  };
  const meta = (plan.plan.meta ?? {}) as {
    analysis?: {
      understanding?: string;
      chosenApproach?: string;
      rationale?: string;
      constraints?: string[];
    };
    confidence?: Record<string, number>;
    risks?: Risk[];
  };
  return (
    <section class="approval" data-testid="approval">
      <h2>This plan is waiting for your approval</h2>
      {plan.approvalReason && <p class="reason">{`Why: ${plan.approvalReason}`}</p>}
      {meta.analysis && (
        <div class="analysis">
          {meta.analysis.understanding && <p>{meta.analysis.understanding}</p>}
          {meta.analysis.chosenApproach && <p>{`Approach: ${meta.analysis.chosenApproach}`}</p>}
          {meta.analysis.rationale && <p>{`Rationale: ${meta.analysis.rationale}`}</p>}
        </div>
      )}
      {meta.confidence && <Confidence values={meta.confidence} />}
      {meta.risks && meta.risks.length > 0 && (
        <ul class="risks">
          {meta.risks.map((risk, index) => (
            <li key={index} class={`risk risk-${risk.severity ?? 'unknown'}`}>
              <strong>{`${risk.severity ?? 'risk'}${risk.category ? ` · ${risk.category}` : ''}`}</strong>
              {` ${risk.description ?? ''}`}
              {risk.mitigation && <p class="muted">{`Mitigation: ${risk.mitigation}`}</p>}
            </li>
          ))}
        </ul>
      )}
      {plan.forecast && (
        <p class="forecast">
          {`Forecast: ${forecastText(plan.forecast)}${plan.budget?.usd !== undefined ? `; budget ${formatUsd(plan.budget.usd)}` : ''}`}
        </p>
      )}
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
          {plan.plan.steps.slice(0, 300).map((step) => (
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
      {plan.plan.steps.length > 300 && (
        <p class="muted">{`…and ${plan.plan.steps.length - 300} more steps`}</p>
      )}
      {editing && (
        <textarea
          class="plan-editor"
          spellcheck={false}
          value={text}
          onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
        />
      )}
      <input
        class="decision-reason"
        placeholder="Reason (optional)"
        value={reason}
        onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
      />
      <div class="actions">
        <button
          type="button"
          class="primary"
          onClick={() => void decide('approve', editing ? text : undefined)}
        >
          {editing ? 'Approve edited plan' : 'Approve'}
        </button>
        <button type="button" onClick={() => setEditing(!editing)}>
          {editing ? 'Discard edits' : 'Edit'}
        </button>
        <button type="button" class="danger" onClick={() => void decide('reject')}>
          Reject
        </button>
      </div>
      {message && <p class="notice">{message}</p>}
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </section>
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
