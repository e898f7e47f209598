/**
 * The run over time: the Gantt chart of its steps, and plots of how it progressed (steps finished and
 * retried, steps running and queued, time lost to rate and usage limits, spend against the budget). The run's events are read once
 * from the API, then kept current from the stream; a clock ticks the now-line while the run runs.
 */
import { useMemo } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';
import { useNow } from '../model/use-now.js';
import { type PlotDefinition, TimePlots } from '../plots/time-plots.js';
import { GanttModel, type RunSeries } from './gantt-model.js';
import { GanttView } from './gantt-view.js';
import { useRunEvents } from './use-run-events.js';
import './timeline.css';

export interface TimelineViewProps {
  api: ApiClient;
  model: RunModel;
  selected: string | undefined;
  onSelect(id: string): void;
}

/** A line's values from the run's series (and its state, for the budget); undefined when it has none. */
type RunLine = { values(series: RunSeries, state: RunState): ReadonlyArray<number | null> | undefined };

/** What each plot shows; a plot with `shown` only when the run has something to show in it. */
const plots: ReadonlyArray<PlotDefinition<RunLine> & { shown?(state: RunState): boolean }> = [
  {
    title: 'Steps finished and retries',
    unit: 'steps',
    lines: [
      { label: 'finished', values: (series) => series.finished, color: '--chart-ok', stepped: true },
      { label: 'retries', values: (series) => series.retries, color: '--chart-warn', stepped: true },
    ],
  },
  {
    title: 'Steps running and waiting in the queue',
    unit: 'steps',
    lines: [
      { label: 'running', values: (series) => series.running, color: '--chart-accent', stepped: true },
      { label: 'queued', values: (series) => series.queued, color: '--chart-muted', stepped: true },
    ],
  },
  {
    title: 'Time lost to rate and usage limits',
    unit: 'seconds',
    lines: [
      { label: 'waiting', values: (series) => series.limitWaitSeconds, color: '--chart-bad', stepped: true },
    ],
  },
  {
    title: 'Spend against the budget',
    unit: 'US dollars',
    shown: (state) => Boolean(state.spent) || state.budget?.usd !== undefined,
    lines: [
      { label: 'spent', values: (series) => series.spentUsd, color: '--chart-accent', stepped: true },
      {
        label: 'budget',
        values: (series, state) => {
          const usd = state.budget?.usd;
          return usd === undefined ? undefined : series.times.map(() => usd);
        },
        color: '--chart-bad',
      },
    ],
  },
];

export function TimelineView({ api, model, selected, onSelect }: TimelineViewProps) {
  const gantt = useMemo(() => new GanttModel(), [model.runId]);
  const { loaded } = useRunEvents(api, model, (events) => gantt.add(events));
  const state = model.state;
  const live = state?.status === 'running' || state?.status === 'paused';
  const now = useNow(live ? 1_000 : undefined);
  if (!state) return null;
  if (!loaded) return <p class="muted">Loading the run's history…</p>;
  const series = gantt.series();
  return (
    <div class="timeline" data-testid="timeline">
      <GanttView state={state} gantt={gantt} selected={selected} onSelect={onSelect} now={now} />
      <section class="plots" aria-label="the run over time">
        <TimePlots
          plots={plots.filter((plot) => plot.shown?.(state) ?? true)}
          times={series.times}
          values={(line) => line.values(series, state)}
        />
      </section>
    </div>
  );
}
