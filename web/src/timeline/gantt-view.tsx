/**
 * The run as a Gantt chart: one labelled row per step, its attempts coloured by outcome, review and merge
 * shaded, retry backoff and usage-limit parking hatched, the critical path marked, a now-line while the
 * run runs. Zoom (buttons, +/−, Ctrl+wheel) and pan (drag, ←/→, Shift+wheel); ↑/↓ move between steps
 * and Enter opens one. Only the rows in view are drawn, so 1,000 steps scroll as lightly as ten.
 */
import { useMemo } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import { labelWidth, rowDomId, rowHeight } from './gantt-geometry.js';
import { GanttAxis, GanttLegend, type GanttSummary, GanttToolbar } from './gantt-header.js';
import type { GanttModel } from './gantt-model.js';
import { GanttRowView } from './gantt-row.js';
import { type RowWindow, useRowWindow } from './use-row-window.js';
import { type TimeWindow, useTimeWindow } from './use-time-window.js';

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
  const rows = useMemo(() => orderRows(state, gantt), [state.order.length, gantt.rows.size, state.lastSeq]);
  const critical = useMemo(() => new Set(gantt.criticalPath(now)), [state.lastSeq, gantt.rows.size]);
  const rowWindow = useRowWindow(rows.length);
  const trackWidth = Math.max(100, rowWindow.size.width - labelWidth - 12);
  const time = useTimeWindow(start, end, trackWidth);
  const { first, last, active } = rowWindow;
  const onKeyDown = keyHandler(rowWindow, time, rows, onSelect);
  return (
    <div class="gantt-wrap">
      <GanttToolbar summary={summarize(gantt, rows.length, critical, now, end - start)} time={time} />
      <GanttLegend />
      <GanttAxis start={start} time={time} trackWidth={trackWidth} />
      <div
        class="gantt"
        ref={rowWindow.body}
        style={{ height: `min(56vh, ${Math.max(4, rows.length) * rowHeight + 2}px)` }}
        tabIndex={0}
        role="listbox"
        aria-label="Steps over time. Up and down choose a step, Enter opens it, plus and minus zoom, left and right pan, 0 fits."
        aria-activedescendant={active >= first && active < last ? rowDomId(active) : undefined}
        onKeyDown={onKeyDown}
        onScroll={rowWindow.onScroll}
        {...time.handlers}
      >
        <div class="gantt-rows" style={{ height: `${rows.length * rowHeight}px` }}>
          {rows.slice(first, last).map((id, offset) => {
            const index = first + offset;
            const step = state.steps[id];
            return (
              <GanttRowView
                key={id}
                id={id}
                index={index}
                label={String(step?.label ?? id)}
                agent={step?.agent}
                row={gantt.rows.get(id)}
                critical={critical.has(id)}
                active={index === active}
                selected={id === selected}
                trackWidth={trackWidth}
                x={time.x}
                now={now}
                onClick={() => {
                  rowWindow.setActive(index);
                  onSelect(id);
                }}
              />
            );
          })}
        </div>
        {live && now >= time.from && now <= time.to && (
          <div
            class="now-line"
            style={{ left: `${labelWidth + time.x(now)}px`, height: `${rows.length * rowHeight}px` }}
            title="now"
          />
        )}
      </div>
    </div>
  );
}

/** The chart's keys: ↑/↓, PageUp/PageDown, Home/End and Enter for the rows; +/−/0 zoom, ←/→ pan. */
function keyHandler(
  rowWindow: RowWindow,
  time: TimeWindow,
  rows: readonly string[],
  onSelect: (id: string) => void,
) {
  const { active, moveTo } = rowWindow;
  const keys: Record<string, () => void> = {
    ArrowDown: () => moveTo(active + 1),
    ArrowUp: () => moveTo(active - 1),
    PageDown: () => moveTo(active + rowWindow.page),
    PageUp: () => moveTo(active - rowWindow.page),
    Home: () => moveTo(0),
    End: () => moveTo(rows.length - 1),
    Enter: () => rows[active] && onSelect(rows[active]),
    '+': () => time.zoom(0.5),
    '=': () => time.zoom(0.5),
    '-': () => time.zoom(2),
    '0': time.fit,
    ArrowLeft: () => time.pan(-0.2),
    ArrowRight: () => time.pan(0.2),
  };
  return (event: KeyboardEvent) => {
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
}

function summarize(
  gantt: GanttModel,
  steps: number,
  critical: ReadonlySet<string>,
  now: number,
  runMs: number,
): GanttSummary {
  const rows = [...gantt.rows.values()];
  return {
    steps,
    attempts: rows.reduce((sum, row) => sum + row.outcomes.size, 0),
    retried: rows.filter((row) => row.outcomes.size > 1).length,
    criticalSteps: critical.size,
    criticalMs: criticalDuration(gantt, [...critical], now),
    runMs,
  };
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
