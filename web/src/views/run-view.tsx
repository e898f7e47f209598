/** One run: its controls and progress, the approval view while it waits, the graph or timeline, a step. */
import { useCallback, useState } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import { GraphView } from '../graph/graph-view.js';
import type { DashboardStore } from '../model/dashboard-store.js';
import { useObservable } from '../model/observable.js';
import { TimelineView } from '../timeline/timeline-view.js';
import { ApprovalView } from './approval-view.js';
import { StatusBadge } from './format.js';
import { StepPanel } from './step-panel.js';

type Tab = 'graph' | 'timeline';

export function RunView({ store, runId }: { store: DashboardStore; runId: string }) {
  const model = store.run(runId);
  useObservable(model);
  const [tab, setTab] = useState<Tab>('graph');
  const [selected, setSelected] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((id: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const state = model.state;
  if (!state) return <p class="muted">Loading the run…</p>;
  const control = async (action: 'pause' | 'resume' | 'cancel') => {
    try {
      await store.api.post(`/api/runs/${encodeURIComponent(runId)}/${action}`);
      setNotice(undefined);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  };
  const step = selected ? state.steps[selected] : undefined;
  return (
    <div class="run">
      <header class="run-header">
        <h1>{state.name}</h1>
        <StatusBadge status={state.status} />
        <Progress state={state} />
        <span class="run-actions">
          {state.status === 'running' && (
            <button type="button" onClick={() => void control('pause')}>
              Pause
            </button>
          )}
          {state.status === 'paused' && (
            <button type="button" onClick={() => void control('resume')}>
              Resume
            </button>
          )}
          {['running', 'paused', 'awaiting_approval', 'pending'].includes(state.status) && (
            <button type="button" class="danger" onClick={() => void control('cancel')}>
              Cancel
            </button>
          )}
        </span>
      </header>
      {notice && <p class="error">{notice}</p>}
      {state.status === 'awaiting_approval' && <ApprovalView api={store.api} runId={runId} />}
      <nav class="tabs">
        {(['graph', 'timeline'] as const).map((name) => (
          <button type="button" key={name} class={tab === name ? 'active' : ''} onClick={() => setTab(name)}>
            {name}
          </button>
        ))}
      </nav>
      <div class={`run-body${step ? ' with-panel' : ''}`}>
        {tab === 'graph' ? (
          <GraphView
            state={state}
            selected={selected}
            onSelect={setSelected}
            collapsed={collapsed}
            onToggle={toggle}
            onExpandAll={() => setCollapsed(new Set())}
          />
        ) : (
          <TimelineView api={store.api} model={model} onSelect={setSelected} />
        )}
        {step && (
          <StepPanel
            api={store.api}
            model={model}
            step={step}
            collapsed={collapsed.has(step.id)}
            onToggleCollapse={() => toggle(step.id)}
            onClose={() => setSelected(undefined)}
          />
        )}
      </div>
    </div>
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
