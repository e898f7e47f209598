/**
 * The plan waiting for a person: what it will do and why, how sure the planner is and what could go
 * wrong; approve it as is, edit it first, or reject it with a reason.
 */
import type { ApiClient } from '../model/api-client.js';
import { PlanRationale, PlanSteps } from './plan-overview.js';
import { type Approval, useApproval } from './use-approval.js';

export function ApprovalView({ api, runId }: { api: ApiClient; runId: string }) {
  const approval = useApproval(api, runId);
  const { plan } = approval;
  if (!plan) return <section class="approval">Loading the plan…</section>;
  return (
    <section class="approval" data-testid="approval">
      <h2>This plan is waiting for your approval</h2>
      <PlanRationale plan={plan} />
      <PlanSteps plan={plan} />
      <Decision approval={approval} />
    </section>
  );
}

/** The YAML editor while editing, the reason, the three buttons, then what came of the decision. */
function Decision({ approval }: { approval: Approval }) {
  const { editing, message, problems } = approval;
  return (
    <>
      {editing && (
        <textarea
          class="plan-editor"
          spellcheck={false}
          value={approval.text}
          onInput={(event) => approval.setText((event.currentTarget as HTMLTextAreaElement).value)}
        />
      )}
      <input
        class="decision-reason"
        placeholder="Reason (optional)"
        value={approval.reason}
        onInput={(event) => approval.setReason((event.currentTarget as HTMLInputElement).value)}
      />
      <div class="actions">
        <button type="button" class="primary" onClick={() => void approval.decide('approve')}>
          {editing ? 'Approve edited plan' : 'Approve'}
        </button>
        <button type="button" onClick={() => approval.setEditing(!editing)}>
          {editing ? 'Discard edits' : 'Edit'}
        </button>
        <button type="button" class="danger" onClick={() => void approval.decide('reject')}>
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
    </>
  );
}
