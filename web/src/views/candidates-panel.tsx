/**
 * Best-of-N in the step view: the candidates side by side, one column each (stacked on a narrow screen):
 * agent, outcome and why it was or was not picked, review score, cost, size of its change, the reviewers'
 * votes, its check's output tail, and its diff (fetched when opened). Also where the step moved when its
 * agent could not take it.
 */
import { useState } from 'preact/hooks';
import type { CandidateRanking } from '../../../src/engine/events.js';
import type { RunState, StepState } from '../../../src/engine/run-state.js';
import type { ApiClient } from '../model/api-client.js';
import { DiffView } from './diff-view.js';
import { StatusBadge } from './format.js';
import { VoteList } from './vote-list.js';

export function CandidatesPanel(props: { api: ApiClient; state: RunState; step: StepState }) {
  const { state, step } = props;
  const ranking = new Map((step.ranking ?? []).map((entry) => [entry.stepId, entry]));
  const hasCheck = state.plan.steps.some((definition) => definition.id === step.id && definition.check);
  return (
    <>
      {(step.failedOver ?? []).map((move) => (
        <p
          class="note"
          key={`${move.from}-${move.at}`}
        >{`moved from ${move.from} to ${move.to}: ${move.reason}`}</p>
      ))}
      {step.candidates && step.candidates.length > 0 && (
        <section class="candidates" aria-label="candidates">
          {step.candidates.map((id) => (
            <CandidateColumn
              key={id}
              api={props.api}
              runId={state.runId}
              id={id}
              candidate={state.steps[id]}
              entry={ranking.get(id)}
              picked={step.picked === id}
              hasCheck={hasCheck}
            />
          ))}
        </section>
      )}
    </>
  );
}

interface ColumnProps {
  api: ApiClient;
  runId: string;
  id: string;
  candidate: StepState | undefined;
  entry: CandidateRanking | undefined;
  picked: boolean;
  hasCheck: boolean;
}

function CandidateColumn(props: ColumnProps) {
  const { candidate, entry } = props;
  const [diffOpen, setDiffOpen] = useState(false);
  const merge = candidate?.stageDetail?.merge;
  const share = entry?.score ?? Number(candidate?.stageDetail?.review?.approvalShare ?? Number.NaN);
  const cost = entry?.costUsd ?? candidate?.usage?.costUsd;
  const checkOutput = candidate?.stageDetail?.check?.output ?? candidate?.error?.outputTail;
  const base = `/api/runs/${encodeURIComponent(props.runId)}/steps/${encodeURIComponent(props.id)}`;
  return (
    <article class={`candidate${props.picked ? ' picked' : ''}`} data-candidate={props.id}>
      <h3>{`${String(candidate?.label ?? props.id)} · ${candidate?.agent ?? '?'}`}</h3>
      <p class="candidate-outcome">
        {candidate && <StatusBadge status={candidate.status} />}{' '}
        <span>{props.picked ? 'picked' : (entry?.reason ?? candidate?.error?.message ?? '')}</span>
      </p>
      <dl class="facts">
        <dt>score</dt>
        <dd>{Number.isFinite(share) ? share.toFixed(2) : '–'}</dd>
        <dt>cost</dt>
        <dd>{cost !== undefined ? `$${cost.toFixed(4)}` : '–'}</dd>
        <dt>change</dt>
        <dd>
          {merge?.filesChanged
            ? `${merge.filesChanged} files +${merge.insertions ?? 0} −${merge.deletions ?? 0}`
            : '–'}
        </dd>
      </dl>
      <h4>votes</h4>
      <VoteList votes={candidate?.votes ?? []} />
      {props.hasCheck && (
        <>
          <h4>check</h4>
          {checkOutput !== undefined && checkOutput !== '' ? (
            <pre class="command check-output">{checkOutput}</pre>
          ) : (
            <p class="muted">No check output.</p>
          )}
        </>
      )}
      <details onToggle={(event) => setDiffOpen(event.currentTarget.open)}>
        <summary>diff</summary>
        {diffOpen && <DiffView api={props.api} base={base} />}
      </details>
    </article>
  );
}
