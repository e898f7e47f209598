/** One run: its controls and progress, the approval view while it waits, the graph or timeline, a step. */
import { useCallback, useState } from 'preact/hooks';
import { GraphView } from '../graph/graph-view.js';
import type { DashboardStore } from '../model/dashboard-store.js';
import { useObservable } from '../model/observable.js';
import { TimelineView } from '../timeline/timeline-view.js';
import { ApprovalView } from './approval-view.js';
import { BudgetView } from './budget-view.js';
import { RunHeader } from './run-header.js';
import { StepPanel } from './step-panel.js';
import { type RunTab, useRunKeys } from './use-run-keys.js';

export function RunView({ store, runId }: { store: DashboardStore; runId: string }) {
  const model = store.run(runId);
  useObservable(model);
  const [tab, setTab] = useState<RunTab>('graph');
  const [selected, setSelected] = useState<string>();
  const { collapsed, toggle, expandAll } = useCollapsed();
  const state = model.state;
  useRunKeys(state, selected, setSelected, setTab);
  if (!state) return <p class="muted">Loading the run…</p>;
  const step = selected ? state.steps[selected] : undefined;
  return (
    <div class="run">
      <RunHeader api={store.api} runId={runId} state={state} />
      <BudgetView api={store.api} state={state} />
      {state.status === 'awaiting_approval' && <ApprovalView api={store.api} runId={runId} />}
      <ViewBar tab={tab} onTab={setTab} />
      <div class={`run-body${step ? ' with-panel' : ''}`}>
        {tab === 'graph' ? (
          <GraphView
            state={state}
            selected={selected}
            onSelect={setSelected}
            collapsed={collapsed}
            onToggle={toggle}
            onExpandAll={expandAll}
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

/** The steps collapsed in the graph (everything after them hidden). */
function useCollapsed() {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((id: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  return { collapsed, toggle, expandAll: () => setCollapsed(new Set()) };
}

/** The graph and timeline tabs, and the keys that work on this page. */
function ViewBar({ tab, onTab }: { tab: RunTab; onTab(tab: RunTab): void }) {
  return (
    <div class="view-bar">
      <nav class="tabs" aria-label="view">
        {(['graph', 'timeline'] as const).map((name) => (
          <button
            type="button"
            key={name}
            class={tab === name ? 'active' : ''}
            aria-pressed={tab === name}
            onClick={() => onTab(name)}
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
  );
}
