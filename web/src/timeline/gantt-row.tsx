/** One step's row of the Gantt chart: its name and agent (and worker), then its bars on the time track. */
import { formatDuration } from '../views/format.js';
import { labelWidth, rowDomId, rowHeight } from './gantt-geometry.js';
import type { GanttRow, Segment } from './gantt-model.js';

export interface GanttRowViewProps {
  id: string;
  index: number;
  label: string;
  agent: string | undefined;
  row: GanttRow | undefined;
  critical: boolean;
  active: boolean;
  selected: boolean;
  trackWidth: number;
  x(at: number): number;
  now: number;
  onClick(): void;
}

export function GanttRowView(props: GanttRowViewProps) {
  const { id, index, label, row, selected } = props;
  return (
    // The list box holds the focus and names the active row (aria-activedescendant): rows need none.
    // biome-ignore lint/a11y/useKeyWithClickEvents: the list box's keys (↑/↓, Enter) reach every row.
    // biome-ignore lint/a11y/useFocusableInteractive: see above.
    <div
      id={rowDomId(index)}
      role="option"
      aria-selected={selected}
      class={`gantt-row${props.critical ? ' critical' : ''}${props.active ? ' active' : ''}${selected ? ' selected' : ''}`}
      style={{ top: `${index * rowHeight}px`, height: `${rowHeight}px` }}
      data-step={id}
      onClick={props.onClick}
    >
      <span class="gantt-label" style={{ width: `${labelWidth}px` }} title={label}>
        <span class="gantt-name">{label}</span>
        <span class="gantt-agent">{row?.worker ? `${props.agent} · ${row.worker}` : props.agent}</span>
      </span>
      <svg class="gantt-track" width={props.trackWidth} height={rowHeight} aria-hidden="true">
        {row?.segments.map((segment) => (
          <SegmentBar
            key={`${segment.kind}${segment.attempt}${segment.start}`}
            segment={segment}
            row={row}
            x={props.x}
            now={props.now}
          />
        ))}
      </svg>
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
