/** Everything about one step: status and timings, its attempts, live output, reviewer votes, its diff, retry. */
import { useEffect, useState } from 'preact/hooks';
import type { WorkerPlacement } from '../../../src/engine/events.js';
import type { StepState } from '../../../src/engine/run-state.js';
import type { AttemptRecord } from '../../../src/server/stream/step-attempts.js';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';
import { TranscriptView } from '../transcript/transcript-view.js';
import { CandidatesPanel } from './candidates-panel.js';
import { DiffView } from './diff-view.js';
import { formatDuration, formatTime, StatusBadge } from './format.js';
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
  const { api, model, step, onClose } = props;
  const [tab, setTab] = useState<Tab>('transcript');
  const [attempts, setAttempts] = useState<AttemptRecord[]>([]);
  const [notice, setNotice] = useState<string | undefined>();
  const base = `/api/runs/${encodeURIComponent(model.runId)}/steps/${encodeURIComponent(step.id)}`;

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

  const retry = async () => {
    try {
      await api.post(`${base}/retry`);
      setNotice('Retry requested.');
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  };
  const definition = model.state?.plan.steps.find((candidate) => candidate.id === step.id);
  const votes = attempts.flatMap((attempt) =>
    attempt.votes.map((vote) => ({ ...vote, attempt: attempt.attempt })),
  );

  return (
    <aside class={`step-panel${step.candidates?.length ? ' with-candidates' : ''}`} data-testid="step-panel">
      <header>
        <h2>{String(step.label)}</h2>
        <StatusBadge status={step.status} />
        <button type="button" class="close" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <dl class="facts">
        <dt>agent</dt>
        <dd>{`${step.agent}${step.action ? ` · ${step.action}` : ''}`}</dd>
        {definition?.target && (
          <>
            <dt>target</dt>
            <dd>{definition.target}</dd>
          </>
        )}
        {step.worker && (
          <>
            <dt>worker</dt>
            <dd data-testid="step-worker">{`${step.worker.worker} on ${step.worker.host}`}</dd>
          </>
        )}
        <dt>attempts</dt>
        <dd>{`${step.attempts} (${step.failures} failed)`}</dd>
        <dt>started</dt>
        <dd>{formatTime(step.startedAt)}</dd>
        <dt>finished</dt>
        <dd>{formatTime(step.finishedAt)}</dd>
        <dt>duration</dt>
        <dd>{formatDuration(step.durationMs)}</dd>
        {step.blockedBy && (
          <>
            <dt>blocked by</dt>
            <dd>{step.blockedBy}</dd>
          </>
        )}
        {step.waitingReason && (
          <>
            <dt>waiting</dt>
            <dd>{step.waitingReason}</dd>
          </>
        )}
        {step.parkedReason && (
          <>
            <dt>parked</dt>
            <dd>{`${step.parkedReason} until ${formatTime(step.retryAt)}`}</dd>
          </>
        )}
        {step.usage && (
          <>
            <dt>usage</dt>
            <dd>{`${step.usage.inputTokens} in · ${step.usage.outputTokens} out${step.usage.costUsd ? ` · $${step.usage.costUsd.toFixed(4)}` : ''}`}</dd>
          </>
        )}
      </dl>
      {model.state && <CandidatesPanel api={api} state={model.state} step={step} />}
      {step.error && <p class="error">{`${step.error.code}: ${step.error.message}`}</p>}
      {definition?.prompt && <p class="prompt">{definition.prompt}</p>}
      {definition?.run && <pre class="command">{definition.run}</pre>}
      <div class="actions">
        {retriable.has(step.status) && (
          <button type="button" onClick={() => void retry()}>
            Retry step
          </button>
        )}
        {step.dependents.length > 0 && (
          <button type="button" onClick={props.onToggleCollapse}>
            {props.collapsed ? 'Show the steps after this one' : 'Collapse the steps after this one'}
          </button>
        )}
        {notice && <span class="muted">{notice}</span>}
      </div>
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
    </aside>
  );
}

function AttemptList({ attempts }: { attempts: AttemptRecord[] }) {
  if (attempts.length === 0) return <p class="muted">No attempts yet.</p>;
  return (
    <table class="attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>outcome</th>
          <th>started</th>
          <th>took</th>
          <th>worker</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => (
          <tr key={attempt.attempt}>
            <td>{attempt.attempt}</td>
            <td>
              <StatusBadge status={attempt.outcome} />
            </td>
            <td>{formatTime(attempt.startedAt)}</td>
            <td>{formatDuration(attempt.durationMs)}</td>
            <td>{attempt.workers.map(workerText).join(', then ') || 'here'}</td>
            <td>
              {attempt.error ? `${attempt.error.code}: ${attempt.error.message}` : (attempt.output ?? '')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function workerText(placement: WorkerPlacement): string {
  return `${placement.worker} on ${placement.host}`;
}
