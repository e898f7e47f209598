/**
 * The server's metrics (the same numbers `/metrics` gives Prometheus) as plots over time, sampled while the
 * tab is open; the numbers themselves behind a toggle.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore } from '../model/dashboard-store.js';
import type { Metric } from '../model/metrics-sampler.js';
import { useObservable } from '../model/observable.js';
import { type PlotDefinition, TimePlots } from '../plots/time-plots.js';
import { formatBytes } from './format.js';

/** What each plot shows: a metric (and its label filter) per line. */
const plots: ReadonlyArray<PlotDefinition<{ metric: string; labels?: Record<string, string> }>> = [
  {
    title: 'Steps finished and retried (totals)',
    unit: 'steps',
    lines: [
      { label: 'finished', metric: 'ai_collab_steps_finished_total', color: '--chart-ok' },
      { label: 'retried', metric: 'ai_collab_step_retries_total', color: '--chart-warn' },
    ],
  },
  {
    title: 'Rate limits and usage-limit parking',
    unit: 'count / s',
    lines: [
      { label: 'rate-limited', metric: 'ai_collab_rate_limited_total', color: '--chart-bad' },
      { label: 'parked seconds', metric: 'ai_collab_parked_seconds_total', color: '--chart-violet' },
    ],
  },
  {
    title: 'Concurrency slots: in use and capacity',
    unit: 'slots',
    lines: [
      { label: 'in use', metric: 'ai_collab_slots_in_use', stepped: true, color: '--chart-accent' },
      { label: 'capacity', metric: 'ai_collab_slots_capacity', stepped: true, color: '--chart-muted' },
    ],
  },
  {
    title: 'Agent processes in pools',
    unit: 'processes',
    lines: [
      {
        label: 'busy',
        metric: 'ai_collab_pool_processes',
        labels: { state: 'busy' },
        stepped: true,
        color: '--chart-accent',
      },
      {
        label: 'idle',
        metric: 'ai_collab_pool_processes',
        labels: { state: 'idle' },
        stepped: true,
        color: '--chart-muted',
      },
    ],
  },
  {
    title: 'Steps running and parked',
    unit: 'steps',
    lines: [
      { label: 'running', metric: 'ai_collab_steps_running', stepped: true, color: '--chart-ok' },
      { label: 'parked', metric: 'ai_collab_steps_parked', stepped: true, color: '--chart-warn' },
    ],
  },
  {
    title: 'Distributed mode: jobs queued for workers and attempts running on them',
    unit: 'attempts',
    lines: [
      {
        label: 'queued',
        metric: 'ai_collab_queue_jobs',
        labels: { state: 'waiting' },
        stepped: true,
        color: '--chart-warn',
      },
      {
        label: 'on workers',
        metric: 'ai_collab_worker_running_attempts',
        stepped: true,
        color: '--chart-accent',
      },
    ],
  },
  {
    title: 'Dashboard connections',
    unit: 'clients',
    lines: [
      {
        label: 'WebSocket clients',
        metric: 'ai_collab_ws_connections',
        stepped: true,
        color: '--chart-accent',
      },
    ],
  },
];

export function MetricsView({ store }: { store: DashboardStore }) {
  const sampler = store.metrics;
  useObservable(sampler);
  const [showTable, setShowTable] = useState(false);
  useEffect(() => sampler.start(store.api), []);
  const rows = sampler.latest.flatMap((metric) => summarize(metric));
  const times = sampler.times;
  return (
    <section class="metrics" data-testid="metrics">
      <header class="metrics-header">
        <h1>Metrics</h1>
        <p class="muted">
          {`This server, sampled every 5 s while this tab is open (${times.length} sample${times.length === 1 ? '' : 's'}). This tab received ${store.framesReceived} stream frames, ${formatBytes(store.bytesReceived)}. Prometheus scrapes /metrics with the same token.`}
        </p>
      </header>
      {sampler.problem && <p class="error">{sampler.problem}</p>}
      <div class="plots">
        <TimePlots plots={plots} times={times} values={(line) => sampler.series(line.metric, line.labels)} />
      </div>
      <button type="button" aria-expanded={showTable} onClick={() => setShowTable(!showTable)}>
        {showTable ? 'Hide the numbers' : 'Show the numbers'}
      </button>
      {showTable && (
        <table class="metrics-table">
          <thead>
            <tr>
              <th>metric</th>
              <th>labels</th>
              <th>value</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.name}${row.labels}`} title={row.help}>
                <td>{row.name}</td>
                <td>{row.labels}</td>
                <td>{row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function summarize(metric: Metric): Array<{ name: string; labels: string; value: string; help: string }> {
  const label = (labels: Record<string, string | number>) =>
    Object.entries(labels)
      .filter(([name]) => name !== 'le')
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
  if (metric.type === 'histogram') {
    const counts = metric.values.filter((value) => value.metricName?.endsWith('_count'));
    return counts.map((count) => {
      const sum = metric.values.find(
        (value) => value.metricName?.endsWith('_sum') && label(value.labels) === label(count.labels),
      );
      const mean = count.value === 0 ? 0 : (sum?.value ?? 0) / count.value;
      return {
        name: metric.name,
        labels: label(count.labels),
        value: `${count.value} × mean ${mean.toFixed(2)} s`,
        help: metric.help,
      };
    });
  }
  return metric.values.map((value) => ({
    name: metric.name,
    labels: label(value.labels),
    value: metric.name.includes('bytes')
      ? formatBytes(value.value)
      : String(Math.round(value.value * 1_000) / 1_000),
    help: metric.help,
  }));
}
