/** One run: its controls and progress, the approval view while it waits, the graph or timeline, a step. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import { GraphView } from '../graph/graph-view.js';
import type { DashboardStore } from '../model/dashboard-store.js';
import { useObservable } from '../model/observable.js';
import { TimelineView } from '../timeline/timeline-view.js';
import { ApprovalView } from './approval-view.js';
import { BudgetView } from './budget-view.js';
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
  useRunKeys(state, selected, setSelected, setTab);
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
          {state.status === 'paused' && !state.budgetReached && (
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
      <BudgetView api={store.api} state={state} />
      {state.status === 'awaiting_approval' && <ApprovalView api={store.api} runId={runId} />}
      <div class="view-bar">
        <nav class="tabs" aria-label="view">
          {(['graph', 'timeline'] as const).map((name) => (
            <button
              type="button"
              key={name}
              class={tab === name ? 'active' : ''}
              aria-pressed={tab === name}
              onClick={() => setTab(name)}
            >
              {name}
            </button>
          ))}
        </nav>
        <p class="shortcuts" data-testid="shortcuts">
          <span>
            <kbd>/</kbd> search
          </span>
          <span>
            <kbd>j</kbd> <kbd>k</kbd> next / previous step
          </span>
          <span>
            <kbd>[</kbd> <kbd>]</kbd> dependency / dependent
          </span>
          <span>
            <kbd>Esc</kbd> close
          </span>
          <span>
            <kbd>g</kbd> graph <kbd>t</kbd> timeline
          </span>
          <span>
            <kbd>Tab</kbd> reaches approve, reject and retry
          </span>
        </p>
      </div>
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
          <TimelineView api={store.api} model={model} selected={selected} onSelect={setSelected} />
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

/**
 * The run's keys, for people who do not use a mouse: `/` search, `j`/`k` next and previous step in plan
 * order, `[`/`]` the selected step's first dependency or dependent, `Esc` close the step, `g`/`t` the
 * graph or the timeline. Ignored while typing in a field.
 */
function useRunKeys(
  state: RunState | undefined,
  selected: string | undefined,
  select: (id: string | undefined) => void,
  setTab: (tab: Tab) => void,
): void {
  useEffect(() => {
    if (!state) return undefined;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]')) {
        if (event.key === 'Escape' && target instanceof HTMLInputElement) target.blur();
        return;
      }
      const order = state.order;
      const index = selected === undefined ? -1 : order.indexOf(selected);
      const step = selected === undefined ? undefined : state.steps[selected];
      const actions: Record<string, () => void> = {
        '/': () => document.querySelector<HTMLInputElement>('input[type="search"]')?.focus(),
        j: () => select(order[Math.min(order.length - 1, index + 1)]),
        k: () => select(order[Math.max(0, index - 1)]),
        '[': () => step?.needs[0] !== undefined && select(step.needs[0]),
        ']': () => step?.dependents[0] !== undefined && select(step.dependents[0]),
        Escape: () => select(undefined),
        g: () => setTab('graph'),
        t: () => setTab('timeline'),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [state, selected]);
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
