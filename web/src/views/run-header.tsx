/** A run's header: its name, status and progress, and the controls its status allows (pause, resume, cancel). */
import { useState } from 'preact/hooks';
import { landingState, landingText } from '../../../src/engine/run-landing.js';
import type { RunState } from '../../../src/engine/run-state.js';
import type { ApiClient } from '../model/api-client.js';
import { StatusBadge } from './format.js';

const cancellable = ['running', 'paused', 'awaiting_approval', 'pending'];

export function RunHeader({ api, runId, state }: { api: ApiClient; runId: string; state: RunState }) {
  const [notice, setNotice] = useState<string>();
  const control = async (action: 'pause' | 'resume' | 'cancel') => {
    try {
      await api.post(`/api/runs/${encodeURIComponent(runId)}/${action}`);
      setNotice(undefined);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <>
      <header class="run-header">
        <h1>{state.name}</h1>
        <StatusBadge status={state.status} />
        <Landing state={state} />
        <Progress state={state} />
        <span class="run-actions">
          {state.status === 'running' && (
            <button type="button" onClick={() => void control('pause')}>
              Pause
            </button>
          )}
          {state.status === 'paused' && !state.budgetReached && (
            <button type="button" onClick={() => void control('resume')}>
              Resume
            </button>
          )}
          {cancellable.includes(state.status) && (
            <button type="button" class="danger" onClick={() => void control('cancel')}>
              Cancel
            </button>
          )}
        </span>
      </header>
      {notice && <p class="error">{notice}</p>}
    </>
  );
}

/** Whether the ended run's work was applied or discarded (`ai-collab apply`/`discard`), with what and by whom. */
function Landing({ state }: { state: RunState }) {
  const landing = landingState(state);
  if (!landing) return null;
  return (
    <span class={`badge landing-${landing}`} data-testid="landing" title={landingText(state)}>
      {landing}
    </span>
  );
}

function Progress({ state }: { state: RunState }) {
  const total = state.order.length;
  const done = state.counts.succeeded;
  const failed = state.counts.failed + state.counts.blocked + state.counts.conflicted;
  const running = state.counts.running + state.counts.reviewing + state.counts.merging;
  return (
    <span class="progress" data-testid="progress">
      <span class="bar">
        <span class="fill ok" style={{ width: `${(done / Math.max(total, 1)) * 100}%` }} />
        <span class="fill bad" style={{ width: `${(failed / Math.max(total, 1)) * 100}%` }} />
      </span>
      {`${done}/${total} done · ${running} running${failed > 0 ? ` · ${failed} failed or blocked` : ''}`}
    </span>
  );
}
