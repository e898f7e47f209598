/** The server's metrics (the same numbers `/metrics` gives Prometheus), refreshed every five seconds. */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore } from '../model/dashboard-store.js';
import { formatBytes } from './format.js';

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface Metric {
  name: string;
  help: string;
  type: string;
  values: MetricValue[];
}

export function MetricsView({ store }: { store: DashboardStore }) {
  const [metrics, setMetrics] = useState<Metric[]>([]);
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    const load = () =>
      store.api
        .get<{ metrics: Metric[] }>('/api/metrics')
        .then((response) => !cancelled && setMetrics(response.metrics))
        .catch((error: unknown) => setProblem(String(error)));
    void load();
    const timer = setInterval(() => void load(), 5_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);
  const rows = metrics.flatMap((metric) => summarize(metric));
  return (
    <section class="metrics" data-testid="metrics">
      <p class="muted">
        {`This tab received ${store.framesReceived} stream frames, ${formatBytes(store.bytesReceived)}. Prometheus scrapes /metrics with the same token.`}
      </p>
      {problem && <p class="error">{problem}</p>}
      <table>
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
