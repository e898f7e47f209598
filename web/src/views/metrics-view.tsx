/**
 * The server's metrics (the same numbers `/metrics` gives Prometheus) as plots over time, sampled while the
 * tab is open; the numbers themselves behind a toggle.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore } from '../model/dashboard-store.js';
import type { Metric } from '../model/metrics-sampler.js';
import { useObservable } from '../model/observable.js';
import { TimePlot } from '../plots/time-plot.js';
import { formatBytes } from './format.js';

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
        <TimePlot
          title="Steps finished and retried (totals)"
          unit="steps"
          times={times}
          series={[
            {
              label: 'finished',
              values: sampler.series('ai_collab_steps_finished_total'),
              color: '--chart-ok',
            },
            {
              label: 'retried',
              values: sampler.series('ai_collab_step_retries_total'),
              color: '--chart-warn',
            },
          ]}
        />
        <TimePlot
          title="Rate limits and usage-limit parking"
          unit="count / s"
          times={times}
          series={[
            {
              label: 'rate-limited',
              values: sampler.series('ai_collab_rate_limited_total'),
              color: '--chart-bad',
            },
            {
              label: 'parked seconds',
              values: sampler.series('ai_collab_parked_seconds_total'),
              color: '--chart-violet',
            },
          ]}
        />
        <TimePlot
          title="Concurrency slots: in use and capacity"
          unit="slots"
          times={times}
          series={[
            {
              label: 'in use',
              values: sampler.series('ai_collab_slots_in_use'),
              color: '--chart-accent',
              stepped: true,
            },
            {
              label: 'capacity',
              values: sampler.series('ai_collab_slots_capacity'),
              color: '--chart-muted',
              stepped: true,
            },
          ]}
        />
        <TimePlot
          title="Agent processes in pools"
          unit="processes"
          times={times}
          series={[
            {
              label: 'busy',
              values: sampler.series('ai_collab_pool_processes', { state: 'busy' }),
              color: '--chart-accent',
              stepped: true,
            },
            {
              label: 'idle',
              values: sampler.series('ai_collab_pool_processes', { state: 'idle' }),
              color: '--chart-muted',
              stepped: true,
            },
          ]}
        />
        <TimePlot
          title="Steps running and parked"
          unit="steps"
          times={times}
          series={[
            {
              label: 'running',
              values: sampler.series('ai_collab_steps_running'),
              color: '--chart-ok',
              stepped: true,
            },
            {
              label: 'parked',
              values: sampler.series('ai_collab_steps_parked'),
              color: '--chart-warn',
              stepped: true,
            },
          ]}
        />
        <TimePlot
          title="Dashboard connections"
          unit="clients"
          times={times}
          series={[
            {
              label: 'WebSocket clients',
              values: sampler.series('ai_collab_ws_connections'),
              color: '--chart-accent',
              stepped: true,
            },
          ]}
        />
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
