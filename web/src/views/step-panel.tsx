/** Everything about one step: status and timings, its attempts, live output, reviewer votes, its diff, retry. */
import { useEffect, useState } from 'preact/hooks';
import type { StepState } from '../../../src/engine/run-state.js';
import type { AttemptRecord } from '../../../src/server/stream/step-attempts.js';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';
import { TranscriptView } from '../transcript/transcript-view.js';
import { AttemptList } from './attempt-list.js';
import { CandidatesPanel } from './candidates-panel.js';
import { DiffView } from './diff-view.js';
import { StatusBadge } from './format.js';
import { StepFacts } from './step-facts.js';
import { VoteList } from './vote-list.js';

const retriable = new Set(['failed', 'blocked', 'cancelled', 'conflicted']);
type Tab = 'transcript' | 'attempts' | 'votes' | 'diff';

export interface StepPanelProps {
  api: ApiClient;
  model: RunModel;
  step: StepState;
  collapsed: boolean;
  onToggleCollapse(): void;
  onClose(): void;
}

export function StepPanel(props: StepPanelProps) {
  const { api, model, step } = props;
  const base = `/api/runs/${encodeURIComponent(model.runId)}/steps/${encodeURIComponent(step.id)}`;
  const attempts = useAttempts(api, base, step);
  const definition = model.state?.plan.steps.find((candidate) => candidate.id === step.id);
  return (
    <aside class={`step-panel${step.candidates?.length ? ' with-candidates' : ''}`} data-testid="step-panel">
      <header>
        <h2>{String(step.label)}</h2>
        <StatusBadge status={step.status} />
        <button type="button" class="close" onClick={props.onClose} aria-label="close">
          ×
        </button>
      </header>
      <StepFacts step={step} target={definition?.target} />
      {model.state && <CandidatesPanel api={api} state={model.state} step={step} />}
      {step.error && <p class="error">{`${step.error.code}: ${step.error.message}`}</p>}
      {definition?.prompt && <p class="prompt">{definition.prompt}</p>}
      {definition?.run && <pre class="command">{definition.run}</pre>}
      <StepActions {...props} base={base} />
      <StepTabs api={api} model={model} step={step} base={base} attempts={attempts} />
    </aside>
  );
}

/**
 * The step's attempts from the API, read again when its status, attempt count or votes change. A read
 * that fails keeps the list it had.
 */
function useAttempts(api: ApiClient, base: string, step: StepState): AttemptRecord[] {
  const [attempts, setAttempts] = useState<AttemptRecord[]>([]);
  useEffect(() => {
    let cancelled = false;
    api
      .get<{ attempts: AttemptRecord[] }>(base)
      .then((details) => !cancelled && setAttempts(details.attempts))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [base, step.status, step.attempts, step.votes?.length]);
  return attempts;
}

/** Retry (when the step ended without success) and collapse or show the steps after it. */
function StepActions({ api, step, base, collapsed, onToggleCollapse }: StepPanelProps & { base: string }) {
  const [notice, setNotice] = useState<string | undefined>();
  const retry = async () => {
    try {
      await api.post(`${base}/retry`);
      setNotice('Retry requested.');
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <div class="actions">
      {retriable.has(step.status) && (
        <button type="button" onClick={() => void retry()}>
          Retry step
        </button>
      )}
      {step.dependents.length > 0 && (
        <button type="button" onClick={onToggleCollapse}>
          {collapsed ? 'Show the steps after this one' : 'Collapse the steps after this one'}
        </button>
      )}
      {notice && <span class="muted">{notice}</span>}
    </div>
  );
}

interface StepTabsProps {
  api: ApiClient;
  model: RunModel;
  step: StepState;
  base: string;
  attempts: AttemptRecord[];
}

/** The step's transcript, attempts, reviewer votes and diff, one tab at a time. */
function StepTabs({ api, model, step, base, attempts }: StepTabsProps) {
  const [tab, setTab] = useState<Tab>('transcript');
  const votes = attempts.flatMap((attempt) =>
    attempt.votes.map((vote) => ({ ...vote, attempt: attempt.attempt })),
  );
  return (
    <>
      <nav class="tabs">
        {(['transcript', 'attempts', 'votes', 'diff'] as const).map((name) => (
          <button type="button" key={name} class={tab === name ? 'active' : ''} onClick={() => setTab(name)}>
            {name === 'votes' ? `votes (${votes.length})` : name}
          </button>
        ))}
      </nav>
      {tab === 'transcript' && (
        <TranscriptView
          api={api}
          runId={model.runId}
          step={step}
          attempts={attempts}
          live={model.live.get(step.id)}
        />
      )}
      {tab === 'attempts' && <AttemptList attempts={attempts} />}
      {tab === 'votes' && <VoteList votes={votes} testId="votes" />}
      {tab === 'diff' && <DiffView api={api} base={base} />}
    </>
  );
}
