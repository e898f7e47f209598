/**
 * The plan as a graph with each step's live status. Large plans stay responsive: only steps inside the
 * viewport are drawn, labels are dropped when zoomed far out, steps can be collapsed with everything
 * after them, and search highlights and jumps to matching steps.
 */
import { useMemo } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import { GraphCanvas } from './graph-canvas.js';
import { visibleGraph } from './graph-model.js';
import { useStepSearch } from './graph-search.js';
import { GraphToolbar } from './graph-toolbar.js';
import { useGraphCamera } from './use-graph-camera.js';
import { useLayout } from './use-layout.js';

export interface GraphViewProps {
  state: RunState;
  selected: string | undefined;
  onSelect(id: string): void;
  /** Steps whose downstream steps are hidden. */
  collapsed: ReadonlySet<string>;
  onToggle(id: string): void;
  onExpandAll(): void;
}

export function GraphView({ state, selected, onSelect, collapsed, onToggle, onExpandAll }: GraphViewProps) {
  const graph = useMemo(() => visibleGraph(state, collapsed), [state.plan, collapsed]);
  const { positions, refined } = useLayout(graph);
  const camera = useGraphCamera(graph.key, positions, refined, selected);
  const search = useStepSearch(state, graph.ids, (id) => {
    if (camera.bringToMiddle(id, 0.8)) onSelect(id);
  });
  const drawn = graph.ids.filter(camera.inView);
  return (
    <div class="graph">
      <GraphToolbar
        search={search}
        shown={graph.ids.length}
        total={state.order.length}
        drawn={drawn.length}
        refined={refined}
        canExpandAll={collapsed.size > 0}
        onFit={camera.fit}
        onExpandAll={onExpandAll}
      />
      <GraphCanvas
        state={state}
        graph={graph}
        positions={positions}
        camera={camera}
        drawn={drawn}
        selected={selected}
        matched={new Set(search.matches)}
        onSelect={onSelect}
        onToggle={onToggle}
      />
    </div>
  );
}
