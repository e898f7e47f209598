/**
 * The run over time: the Gantt chart of its steps, and plots of how it progressed (steps finished and
 * retried, steps running and queued, time lost to rate and usage limits, spend against the budget). The run's events are read once
 * from the API, then kept current from the stream; a clock ticks the now-line while the run runs.
 */
import { useMemo } from 'preact/hooks';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';
import { useNow } from '../model/use-now.js';
import { TimePlot } from '../plots/time-plot.js';
import { GanttModel } from './gantt-model.js';
import { GanttView } from './gantt-view.js';
import { useRunEvents } from './use-run-events.js';
import './timeline.css';

export interface TimelineViewProps {
  api: ApiClient;
  model: RunModel;
  selected: string | undefined;
  onSelect(id: string): void;
}

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
        <TimePlot
          title="Steps finished and retries"
          unit="steps"
          times={series.times}
          series={[
            { label: 'finished', values: series.finished, color: '--chart-ok', stepped: true },
            { label: 'retries', values: series.retries, color: '--chart-warn', stepped: true },
          ]}
        />
        <TimePlot
          title="Steps running and waiting in the queue"
          unit="steps"
          times={series.times}
          series={[
            { label: 'running', values: series.running, color: '--chart-accent', stepped: true },
            { label: 'queued', values: series.queued, color: '--chart-muted', stepped: true },
          ]}
        />
        <TimePlot
          title="Time lost to rate and usage limits"
          unit="seconds"
          times={series.times}
          series={[
            { label: 'waiting', values: series.limitWaitSeconds, color: '--chart-bad', stepped: true },
          ]}
        />
        {(state.spent || state.budget?.usd !== undefined) && (
          <TimePlot
            title="Spend against the budget"
            unit="US dollars"
            times={series.times}
            series={[
              { label: 'spent', values: series.spentUsd, color: '--chart-accent', stepped: true },
              ...(state.budget?.usd !== undefined
                ? [
                    {
                      label: 'budget',
                      values: series.times.map(() => state.budget?.usd ?? null),
                      color: '--chart-bad',
                    },
                  ]
                : []),
            ]}
          />
        )}
      </section>
    </div>
  );
}
