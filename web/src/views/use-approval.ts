/** The plan waiting for approval, read from the API, and the person's decision on it: approve (as is or edited) or reject. */
import { useEffect, useState } from 'preact/hooks';
import type { PlanForecast } from '../../../src/engine/budget/forecast.js';
import type { Budget, PlanDefinition } from '../../../src/protocol/plan-types.js';
import { type ApiClient, ApiError } from '../model/api-client.js';

export interface PlanResponse {
  plan: PlanDefinition;
  yaml: string;
  approvalReason: string | null;
  /** What the steps will likely cost, from past steps of the same agent and action. */
  forecast?: PlanForecast;
  budget?: Budget | null;
}

export interface Approval {
  /** Undefined until read. */
  plan: PlanResponse | undefined;
  /** Whether the person is editing the plan's YAML before approving it. */
  editing: boolean;
  setEditing(editing: boolean): void;
  /** The plan's YAML, as edited. */
  text: string;
  setText(text: string): void;
  reason: string;
  setReason(reason: string): void;
  /** What happened to the decision (or why it was refused), and the plan's problems when an edit was refused. */
  message: string | undefined;
  problems: string[];
  decide(decision: 'approve' | 'reject'): Promise<void>;
}

export function useApproval(api: ApiClient, runId: string): Approval {
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
  const decide = async (decision: 'approve' | 'reject') => {
    const edited = decision === 'approve' && editing ? text : undefined;
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
  return { plan, editing, setEditing, text, setText, reason, setReason, message, problems, decide };
}
