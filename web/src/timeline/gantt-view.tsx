/**
 * The run as a Gantt chart: one labelled row per step, its attempts coloured by outcome, review and merge
 * shaded, retry backoff and usage-limit parking hatched, the critical path marked, a now-line while the
 * run runs. Zoom (buttons, +/−, Ctrl+wheel) and pan (drag, ←/→, Shift+wheel); ↑/↓ move between steps
 * and Enter opens one. Only the rows in view are drawn, so 1,000 steps scroll as lightly as ten.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import { formatDuration } from '../views/format.js';
import type { GanttModel, GanttRow, Segment } from './gantt-model.js';
import { timeTicks } from './time-axis.js';

const rowHeight = 26;
const labelWidth = 208;
const overscan = 8;

export interface GanttViewProps {
  state: RunState;
  gantt: GanttModel;
  selected: string | undefined;
  onSelect(id: string): void;
  now: number;
}

export function GanttView({ state, gantt, selected, onSelect, now }: GanttViewProps) {
  const live = state.status === 'running' || state.status === 'paused';
  const start = gantt.start ?? now;
  const end = Math.max(start + 1_000, gantt.end ?? (live ? now : latestEnd(gantt, start)));
  const [view, setView] = useState<{ from: number; to: number } | undefined>();
  const from = view?.from ?? start;
  const to = view?.to ?? end;
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ width: 900, height: 480 });
  const [active, setActive] = useState(0);
  const drag = useRef<{ x: number; from: number; to: number } | undefined>(undefined);
  const trackWidth = Math.max(100, size.width - labelWidth - 12);

  useEffect(() => {
    const element = body.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const rows = useMemo(() => orderRows(state, gantt), [state.order.length, gantt.rows.size, state.lastSeq]);
  const critical = useMemo(() => new Set(gantt.criticalPath(now)), [state.lastSeq, gantt.rows.size]);
  const criticalSpan = criticalDuration(gantt, [...critical], now);
  const x = (at: number) => ((at - from) / (to - from)) * trackWidth;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + size.height) / rowHeight) + overscan);
  const attempts = [...gantt.rows.values()].reduce((sum, row) => sum + row.outcomes.size, 0);
  const retried = [...gantt.rows.values()].filter((row) => row.outcomes.size > 1).length;

  const zoom = (factor: number, around = (from + to) / 2) => {
    const span = Math.min(Math.max((to - from) * factor, 50), (end - start) * 4 + 1_000);
    const ratio = (around - from) / (to - from);
    setView({ from: around - span * ratio, to: around - span * ratio + span });
  };
  const pan = (fraction: number) => {
    const shift = (to - from) * fraction;
    setView({ from: from + shift, to: to + shift });
  };
  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    const element = body.current;
    if (!element) return;
    const top = next * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + rowHeight - element.clientHeight;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + Math.floor(size.height / rowHeight)),
      PageUp: () => moveTo(active - Math.floor(size.height / rowHeight)),
      Home: () => moveTo(0),
      End: () => moveTo(rows.length - 1),
      Enter: () => rows[active] && onSelect(rows[active]),
      '+': () => zoom(0.5),
      '=': () => zoom(0.5),
      '-': () => zoom(2),
      '0': () => setView(undefined),
      ArrowLeft: () => pan(-0.2),
      ArrowRight: () => pan(0.2),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
  const ticks = timeTicks(start, from, to, trackWidth);

  return (
    <div class="gantt-wrap">
      <div class="gantt-toolbar">
        <p class="gantt-summary">
          {`${rows.length} steps · ${attempts} attempts${retried > 0 ? ` · ${retried} retried` : ''} · `}
          <span class="critical-text">{`critical path ${critical.size} step${critical.size === 1 ? '' : 's'}, ${formatDuration(criticalSpan)}`}</span>
          {` of ${formatDuration(end - start)}`}
        </p>
        <fieldset class="zoom">
          <legend class="sr-only">Zoom</legend>
          <button type="button" onClick={() => zoom(2)} aria-label="Zoom out">
            −
          </button>
          <button type="button" onClick={() => zoom(0.5)} aria-label="Zoom in">
            +
          </button>
          <button type="button" onClick={() => setView(undefined)} disabled={!view}>
            Fit
          </button>
        </fieldset>
      </div>
      <Legend />
      <div class="gantt-axis" style={{ paddingLeft: `${labelWidth}px` }} aria-hidden="true">
        <svg width={trackWidth} height={22}>
          <title>time since the run started</title>
          {ticks.map((tick) => (
            <g key={tick.at} transform={`translate(${x(tick.at)},0)`}>
              <line y1={14} y2={22} />
              <text y={11} text-anchor={x(tick.at) < 16 ? 'start' : 'middle'}>
                {tick.label}
              </text>
            </g>
          ))}
        </svg>
      </div>
      <div
        class="gantt"
        ref={body}
        style={{ height: `min(56vh, ${Math.max(4, rows.length) * rowHeight + 2}px)` }}
        tabIndex={0}
        role="listbox"
        aria-label="Steps over time. Up and down choose a step, Enter opens it, plus and minus zoom, left and right pan, 0 fits."
        aria-activedescendant={active >= first && active < last ? rowDomId(active) : undefined}
        onKeyDown={onKeyDown}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        onWheel={(event) => {
          if (event.ctrlKey || event.metaKey) {
            event.preventDefault();
            const box = event.currentTarget.getBoundingClientRect();
            const at = from + ((event.clientX - box.left - labelWidth) / trackWidth) * (to - from);
            zoom(Math.exp(event.deltaY * 0.002), Math.max(from, Math.min(to, at)));
          } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
            event.preventDefault();
            pan(((event.shiftKey ? event.deltaY : event.deltaX) / trackWidth) * 1);
          }
        }}
        onPointerDown={(event) => {
          if (event.button !== 0 || (event.target as Element).closest('.gantt-label')) return;
          drag.current = { x: event.clientX, from, to };
        }}
        onPointerMove={(event) => {
          const current = drag.current;
          if (!current || event.buttons === 0) return;
          const shift = ((current.x - event.clientX) / trackWidth) * (current.to - current.from);
          if (Math.abs(current.x - event.clientX) > 3)
            setView({ from: current.from + shift, to: current.to + shift });
        }}
        onPointerUp={() => {
          drag.current = undefined;
        }}
      >
        <div class="gantt-rows" style={{ height: `${rows.length * rowHeight}px` }}>
          {rows.slice(first, last).map((id, offset) => {
            const index = first + offset;
            const row = gantt.rows.get(id);
            const step = state.steps[id];
            return (
              // The list box holds the focus and names the active row (aria-activedescendant): rows need none.
              // biome-ignore lint/a11y/useKeyWithClickEvents: the list box's keys (↑/↓, Enter) reach every row.
              // biome-ignore lint/a11y/useFocusableInteractive: see above.
              <div
                key={id}
                id={rowDomId(index)}
                role="option"
                aria-selected={id === selected}
                class={`gantt-row${critical.has(id) ? ' critical' : ''}${index === active ? ' active' : ''}${id === selected ? ' selected' : ''}`}
                style={{ top: `${index * rowHeight}px`, height: `${rowHeight}px` }}
                data-step={id}
                onClick={() => {
                  setActive(index);
                  onSelect(id);
                }}
              >
                <span
                  class="gantt-label"
                  style={{ width: `${labelWidth}px` }}
                  title={String(step?.label ?? id)}
                >
                  <span class="gantt-name">{String(step?.label ?? id)}</span>
                  <span class="gantt-agent">
                    {row?.worker ? `${step?.agent} · ${row.worker}` : step?.agent}
                  </span>
                </span>
                <svg class="gantt-track" width={trackWidth} height={rowHeight} aria-hidden="true">
                  {row?.segments.map((segment) => (
                    <SegmentBar
                      key={`${segment.kind}${segment.attempt}${segment.start}`}
                      segment={segment}
                      row={row}
                      x={x}
                      now={now}
                    />
                  ))}
                </svg>
              </div>
            );
          })}
        </div>
        {live && now >= from && now <= to && (
          <div
            class="now-line"
            style={{ left: `${labelWidth + x(now)}px`, height: `${rows.length * rowHeight}px` }}
            title="now"
          />
        )}
      </div>
    </div>
  );
}

function SegmentBar({
  segment,
  row,
  x,
  now,
}: {
  segment: Segment;
  row: GanttRow;
  x: (at: number) => number;
  now: number;
}) {
  const end =
    segment.end ??
    (segment.kind === 'backoff' || segment.kind === 'parked' ? Math.max(now, segment.until ?? now) : now);
  const left = x(segment.start);
  const width = Math.max(2, x(end) - left);
  const outcome = row.outcomes.get(segment.attempt) ?? 'running';
  const inset = segment.kind === 'backoff' || segment.kind === 'parked' ? 8 : 5;
  const took = segment.kind === 'failover' ? '' : `, ${formatDuration(end - segment.start)}`;
  return (
    <rect
      class={`seg seg-${segment.kind} outcome-${outcome}`}
      x={segment.kind === 'failover' ? left - 2 : left}
      y={segment.kind === 'failover' ? 1 : inset}
      width={segment.kind === 'failover' ? 4 : width}
      height={segment.kind === 'failover' ? rowHeight - 2 : rowHeight - inset * 2}
      rx={segment.kind === 'failover' ? 1 : 3}
    >
      <title>{`${row.stepId} — ${segmentText(segment, outcome)}${took}`}</title>
    </rect>
  );
}

/** What a bar is, in words (its tooltip): with the worker that ran it, and why a wait or failover happened. */
function segmentText(segment: Segment, outcome: string): string {
  switch (segment.kind) {
    case 'run':
      return `attempt ${segment.attempt}: ${outcome}${segment.worker ? ` on worker ${segment.worker}` : ''}`;
    case 'backoff':
      return `waiting to retry after attempt ${segment.attempt}`;
    case 'parked':
      return `parked until a usage limit resets${segment.reason ? `: ${segment.reason}` : ''}`;
    case 'failover':
      return `failed over ${segment.reason ?? ''}`;
    default:
      return `${segment.kind} of attempt ${segment.attempt}`;
  }
}

function Legend() {
  const items: Array<[string, string]> = [
    ['seg seg-run outcome-succeeded', 'succeeded'],
    ['seg seg-run outcome-running', 'running'],
    ['seg seg-run outcome-retried', 'failed, retried'],
    ['seg seg-run outcome-failed', 'failed'],
    ['seg seg-review', 'review'],
    ['seg seg-merge', 'merge'],
    ['seg seg-backoff', 'retry backoff'],
    ['seg seg-parked', 'parked (usage limit)'],
    ['seg seg-failover', 'failed over to another agent'],
  ];
  return (
    <ul class="legend" aria-label="legend">
      {items.map(([classes, label]) => (
        <li key={label}>
          <svg width={18} height={12} aria-hidden="true">
            <rect class={classes} width={18} height={12} rx={3} />
          </svg>
          {label}
        </li>
      ))}
      <li>
        <span class="critical-swatch" aria-hidden="true" />
        critical path
      </li>
    </ul>
  );
}

/** Steps that ran, by when they first started; then those that never did, in plan order. */
function orderRows(state: RunState, gantt: GanttModel): string[] {
  const started = [...gantt.rows.values()]
    .sort((a, b) => a.firstStart - b.firstStart)
    .map((row) => row.stepId);
  const seen = new Set(started);
  return [...started.filter((id) => state.steps[id]), ...state.order.filter((id) => !seen.has(id))];
}

function latestEnd(gantt: GanttModel, start: number): number {
  let end = start;
  for (const row of gantt.rows.values())
    for (const segment of row.segments) end = Math.max(end, segment.end ?? segment.start);
  return end;
}

function criticalDuration(gantt: GanttModel, path: string[], now: number): number {
  const first = path[0] === undefined ? undefined : gantt.rows.get(path[0]);
  const lastId = path[path.length - 1];
  const last = lastId === undefined ? undefined : gantt.rows.get(lastId);
  if (!first || !last) return 0;
  return (last.lastEnd ?? now) - first.firstStart;
}

function rowDomId(index: number): string {
  return `gantt-row-${index}`;
}
