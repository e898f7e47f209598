/** Above the Gantt chart's rows: the run in one line with the zoom buttons, the legend, the time axis. */
import { formatDuration } from '../views/format.js';
import { labelWidth } from './gantt-geometry.js';
import { timeTicks } from './time-axis.js';
import type { TimeWindow } from './use-time-window.js';

export interface GanttSummary {
  steps: number;
  attempts: number;
  retried: number;
  criticalSteps: number;
  criticalMs: number;
  runMs: number;
}

export function GanttToolbar({ summary, time }: { summary: GanttSummary; time: TimeWindow }) {
  const { criticalSteps } = summary;
  return (
    <div class="gantt-toolbar">
      <p class="gantt-summary">
        {`${summary.steps} steps · ${summary.attempts} attempts${summary.retried > 0 ? ` · ${summary.retried} retried` : ''} · `}
        <span class="critical-text">{`critical path ${criticalSteps} step${criticalSteps === 1 ? '' : 's'}, ${formatDuration(summary.criticalMs)}`}</span>
        {` of ${formatDuration(summary.runMs)}`}
      </p>
      <fieldset class="zoom">
        <legend class="sr-only">Zoom</legend>
        <button type="button" onClick={() => time.zoom(2)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => time.zoom(0.5)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={time.fit} disabled={!time.placed}>
          Fit
        </button>
      </fieldset>
    </div>
  );
}

export function GanttLegend() {
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

/** The time since the run started, along the top of the track. */
export function GanttAxis({
  start,
  time,
  trackWidth,
}: {
  start: number;
  time: TimeWindow;
  trackWidth: number;
}) {
  const { x } = time;
  return (
    <div class="gantt-axis" style={{ paddingLeft: `${labelWidth}px` }} aria-hidden="true">
      <svg width={trackWidth} height={22}>
        <title>time since the run started</title>
        {timeTicks(start, time.from, time.to, trackWidth).map((tick) => (
          <g key={tick.at} transform={`translate(${x(tick.at)},0)`}>
            <line y1={14} y2={22} />
            <text y={11} text-anchor={x(tick.at) < 16 ? 'start' : 'middle'}>
              {tick.label}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
