/**
 * The plan as a graph with each step's live status. Large plans stay responsive: only steps inside the
 * viewport are drawn, labels are dropped when zoomed far out, steps can be collapsed with everything
 * after them, and search highlights and jumps to matching steps.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RunState, StepState } from '../../../src/engine/run-state.js';
import { formatDuration } from '../views/format.js';
import { nodeHeight, nodeWidth, type Positions, visibleGraph } from './graph-model.js';
import { StepNode } from './step-node.js';
import { useLayout } from './use-layout.js';
import { fitTransform, useViewport } from './viewport.js';

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
  const [query, setQuery] = useState('');
  const graph = useMemo(() => visibleGraph(state, collapsed), [state.plan, collapsed]);
  const { positions, refined } = useLayout(graph);
  const container = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 900, height: 560 });
  const { transform, setTransform, dragging, handlers } = useViewport({ x: 20, y: 20, k: 1 });
  const content = useMemo(() => extent(positions), [positions]);

  // Measured before the first paint, and fitted then too: a large plan is drawn once, already fitted,
  // instead of first at 1:1 and again a frame later.
  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) {
      setSize({ width: box.width, height: box.height });
      setMeasured(true);
    }
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
      setMeasured(true);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const [measured, setMeasured] = useState(false);
  // Fit when the layout changes (first paint, ELK's refinement, a collapse) and once the canvas has its real
  // size; not when the step panel narrows the canvas, which would undo a search jump.
  // After the person has moved the view, a new layout keeps the selected step in the middle instead.
  const moved = useRef(false);
  useLayoutEffect(() => {
    const position = selected === undefined ? undefined : positions.get(selected);
    if (moved.current && position) setTransform(centerOn(position, transform.k, size));
    else if (!moved.current) setTransform(fitTransform(content, size));
  }, [graph.key, refined, measured]);
  // The window or the step panel changed the canvas: fit again, unless the person placed the view.
  useEffect(() => {
    if (measured && !moved.current) setTransform(fitTransform(content, size));
  }, [size.width, size.height]);
  // A step chosen elsewhere (keys, timeline, search) that is out of view is brought into the middle.
  useEffect(() => {
    const position = selected === undefined ? undefined : positions.get(selected);
    if (!position) return;
    const left = position.x * transform.k + transform.x;
    const top = position.y * transform.k + transform.y;
    const outside =
      left < 0 ||
      top < 0 ||
      left + nodeWidth * transform.k > size.width ||
      top + nodeHeight * transform.k > size.height;
    if (!outside) return;
    moved.current = true;
    setTransform(centerOn(position, Math.max(transform.k, 0.6), size));
  }, [selected]);
  const live = state.status === 'running' || state.status === 'paused';
  const now = useTicker(live);
  const related = useMemo(() => relatives(state, selected), [selected, state.plan]);

  const targets = useMemo(
    () =>
      new Map(state.plan.steps.map((step) => [step.id, `${step.target ?? ''} ${step.description ?? ''}`])),
    [state.plan],
  );
  const matches = useMemo(
    () => findMatches(state, graph.ids, query, targets),
    [graph.ids, query, targets, state.lastSeq],
  );
  const jumpToMatch = (index: number): void => {
    const id = matches[index % Math.max(matches.length, 1)];
    const position = id === undefined ? undefined : positions.get(id);
    if (!id || !position) return;
    moved.current = true;
    setTransform(centerOn(position, Math.max(transform.k, 0.8), size));
    onSelect(id);
  };
  const [matchCursor, setMatchCursor] = useState(0);

  const view = {
    left: -transform.x / transform.k - nodeWidth,
    top: -transform.y / transform.k - nodeHeight,
    right: (size.width - transform.x) / transform.k,
    bottom: (size.height - transform.y) / transform.k,
  };
  const inView = (id: string): boolean => {
    const position = positions.get(id);
    return (
      !!position &&
      position.x >= view.left &&
      position.x <= view.right &&
      position.y >= view.top &&
      position.y <= view.bottom
    );
  };
  const drawn = graph.ids.filter(inView);
  const matchSet = new Set(matches);
  const detailed = transform.k >= 0.45;

  return (
    <div class="graph">
      <div class="graph-tools">
        <input
          type="search"
          placeholder="Search steps (id, agent, status:failed)"
          value={query}
          onInput={(event) => {
            setQuery((event.currentTarget as HTMLInputElement).value);
            setMatchCursor(0);
          }}
          onKeyDown={(event) => {
            if (event.key !== 'Enter') return;
            jumpToMatch(matchCursor);
            setMatchCursor(matchCursor + 1);
          }}
        />
        <span class="muted">
          {query ? `${matches.length} match${matches.length === 1 ? '' : 'es'} · Enter jumps · ` : ''}
          {`${graph.ids.length} of ${state.order.length} steps shown · ${drawn.length} drawn`}
          {refined ? '' : ' · laying out…'}
        </span>
        <button
          type="button"
          onClick={() => {
            moved.current = false;
            setTransform(fitTransform(content, size));
          }}
        >
          Fit
        </button>
        <button type="button" disabled={collapsed.size === 0} onClick={onExpandAll}>
          Expand all
        </button>
      </div>
      <div class="graph-canvas" ref={container}>
        <svg
          width="100%"
          height="100%"
          role="img"
          aria-label="plan graph"
          onPointerDown={handlers.onPointerDown}
          onPointerMove={(event) => {
            // Only a real drag places the view: a click on a node (which opens the panel) must let the
            // narrowed canvas fit again.
            if (dragging()) moved.current = true;
            handlers.onPointerMove(event);
          }}
          onPointerUp={handlers.onPointerUp}
          onWheel={(event) => {
            moved.current = true;
            handlers.onWheel(event);
          }}
        >
          <g transform={`translate(${transform.x},${transform.y}) scale(${transform.k})`}>
            <g class="edges">
              {edgePaths(graph.edges, positions, inView, (from, to) => {
                const relation =
                  related === undefined
                    ? ''
                    : (related.upstream.has(from) || from === selected) &&
                        (related.upstream.has(to) || to === selected)
                      ? ' upstream'
                      : (related.downstream.has(to) || to === selected) &&
                          (related.downstream.has(from) || from === selected)
                        ? ' downstream'
                        : ' dimmed';
                return `edge status-${state.steps[from]?.status ?? 'pending'}${relation}`;
              }).map(([className, d]) => (
                <path key={className} class={className} d={d} />
              ))}
            </g>
            {drawn.map((id) => {
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
                  matched={matchSet.has(id)}
                  hidden={graph.hiddenUnder.get(id) ?? 0}
                  detailed={detailed}
                  metrics={nodeMetrics(step, now)}
                  relation={
                    related === undefined || id === selected
                      ? undefined
                      : related.upstream.has(id)
                        ? 'upstream'
                        : related.downstream.has(id)
                          ? 'downstream'
                          : 'dimmed'
                  }
                  onSelect={onSelect}
                  onToggle={onToggle}
                />
              );
            })}
          </g>
        </svg>
      </div>
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

/** Every step the selected one waits for, and every step that waits for it (both transitively). */
function relatives(
  state: RunState,
  selected: string | undefined,
): { upstream: Set<string>; downstream: Set<string> } | undefined {
  const origin = selected === undefined ? undefined : state.steps[selected];
  if (!origin) return undefined;
  const walk = (next: (step: StepState) => readonly string[]): Set<string> => {
    const found = new Set<string>();
    const queue = [...next(origin)];
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head] as string;
      const step = state.steps[id];
      if (found.has(id) || !step) continue;
      found.add(id);
      queue.push(...next(step));
    }
    return found;
  };
  return { upstream: walk((step) => step.needs), downstream: walk((step) => step.dependents) };
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

/** Re-renders every second while `live`, so running steps show their elapsed time; returns the time now. */
function useTicker(live: boolean): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => setTick((tick) => tick + 1), 1_000);
    return () => clearInterval(timer);
  }, [live]);
  return Date.now();
}

function centerOn(position: { x: number; y: number }, k: number, size: { width: number; height: number }) {
  return {
    k,
    x: size.width / 2 - (position.x + nodeWidth / 2) * k,
    y: size.height / 2 - (position.y + nodeHeight / 2) * k,
  };
}

function extent(positions: Map<string, { x: number; y: number }>) {
  let width = 0;
  let height = 0;
  for (const { x, y } of positions.values()) {
    width = Math.max(width, x + nodeWidth);
    height = Math.max(height, y + nodeHeight);
  }
  return { width, height };
}

function findMatches(
  state: RunState,
  ids: readonly string[],
  query: string,
  targets: ReadonlyMap<string, string>,
): string[] {
  const text = query.trim().toLowerCase();
  if (text === '') return [];
  const status = /^status:(\S+)$/.exec(text)?.[1];
  return ids.filter((id) => {
    const step = state.steps[id];
    if (!step) return false;
    if (status) return step.status.startsWith(status);
    return [id, step.agent, step.status, targets.get(id) ?? ''].some((field) =>
      field.toLowerCase().includes(text),
    );
  });
}
