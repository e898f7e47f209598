/**
 * The drawn part of the graph: the edges and the steps in view, each with its live status, its elapsed
 * time and cost, and its relation to the selected step. Labels are dropped when zoomed far out.
 */
import { useMemo } from 'preact/hooks';
import type { RunState, StepState } from '../../../src/engine/run-state.js';
import { useNow } from '../model/use-now.js';
import { formatDuration } from '../views/format.js';
import { nodeHeight, nodeWidth, type Positions, type VisibleGraph } from './graph-model.js';
import { edgeRelation, nodeRelation, relatives } from './graph-relations.js';
import { StepNode } from './step-node.js';
import type { GraphCamera } from './use-graph-camera.js';

export interface GraphCanvasProps {
  state: RunState;
  graph: VisibleGraph;
  positions: Positions;
  camera: GraphCamera;
  /** The steps in view, the only ones drawn. */
  drawn: readonly string[];
  selected: string | undefined;
  /** Steps that match the search. */
  matched: ReadonlySet<string>;
  onSelect(id: string): void;
  onToggle(id: string): void;
}

export function GraphCanvas(props: GraphCanvasProps) {
  const { state, graph, positions, camera, selected } = props;
  const live = state.status === 'running' || state.status === 'paused';
  const now = useNow(live ? 1_000 : undefined);
  const related = useMemo(() => relatives(state, selected), [selected, state.plan]);
  const { transform } = camera;
  const detailed = transform.k >= 0.45;
  const edgeClass = (from: string, to: string): string => {
    const relation = edgeRelation(related, from, to);
    return `edge status-${state.steps[from]?.status ?? 'pending'}${relation ? ` ${relation}` : ''}`;
  };
  return (
    <div class="graph-canvas" ref={camera.container}>
      <svg width="100%" height="100%" role="img" aria-label="plan graph" {...camera.handlers}>
        <g transform={`translate(${transform.x},${transform.y}) scale(${transform.k})`}>
          <g class="edges">
            {edgePaths(graph.edges, positions, camera.inView, edgeClass).map(([className, d]) => (
              <path key={className} class={className} d={d} />
            ))}
          </g>
          {props.drawn.map((id) => {
            const step = state.steps[id];
            const position = positions.get(id);
            if (!step || !position) return null;
            return (
              <StepNode
                key={id}
                step={step}
                x={position.x}
                y={position.y}
                selected={id === selected}
                matched={props.matched.has(id)}
                hidden={graph.hiddenUnder.get(id) ?? 0}
                detailed={detailed}
                metrics={nodeMetrics(step, now)}
                relation={nodeRelation(related, id)}
                onSelect={props.onSelect}
                onToggle={props.onToggle}
              />
            );
          })}
        </g>
      </svg>
    </div>
  );
}

/**
 * The drawn edges as one path per look (status and relation), not one element per edge: a 1,000-step
 * plan has thousands of edges, and each element costs style, layout and paint time on first render.
 */
function edgePaths(
  edges: ReadonlyArray<readonly [string, string]>,
  positions: Positions,
  inView: (id: string) => boolean,
  classOf: (from: string, to: string) => string,
): Array<[string, string]> {
  const byClass = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (!inView(from) && !inView(to)) continue;
    const a = positions.get(from);
    const b = positions.get(to);
    if (!a || !b) continue;
    const x1 = a.x + nodeWidth;
    const y1 = a.y + nodeHeight / 2;
    const x2 = b.x;
    const y2 = b.y + nodeHeight / 2;
    const bend = Math.max(20, (x2 - x1) / 2);
    const className = classOf(from, to);
    const segments = byClass.get(className) ?? [];
    segments.push(`M${x1},${y1}C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`);
    byClass.set(className, segments);
  }
  return [...byClass].map(([className, segments]) => [className, segments.join('')]);
}

/** What a node says about time and money: how long it ran (or has been running), and its cost. */
function nodeMetrics(step: StepState, now: number): string {
  const elapsed =
    step.status === 'running' || step.status === 'reviewing' || step.status === 'merging'
      ? step.startedAt === undefined
        ? undefined
        : now - step.startedAt
      : step.durationMs;
  const parts = [elapsed === undefined ? undefined : formatDuration(elapsed)];
  if (step.usage?.costUsd !== undefined)
    parts.push(`$${step.usage.costUsd.toFixed(step.usage.costUsd < 0.1 ? 3 : 2)}`);
  return parts.filter(Boolean).join(' · ');
}
