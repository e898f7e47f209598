/**
 * The server's metrics over time. `/api/metrics` gives the numbers as they are now, so this tab samples
 * them every five seconds from the first visit to the metrics page for as long as the tab is open, and
 * keeps the last hour (a ring of 720 samples). Totals are summed over their labels.
 */
import type { ApiClient } from './api-client.js';
import { Observable } from './observable.js';

export interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export interface Metric {
  name: string;
  help: string;
  type: string;
  values: MetricValue[];
}

const everyMs = 5_000;
const keep = 720;

export class MetricsSampler extends Observable {
  /** Epoch seconds of each sample. */
  readonly times: number[] = [];
  readonly #series = new Map<string, number[]>();
  latest: Metric[] = [];
  problem: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  start(api: ApiClient): void {
    if (this.#timer) return;
    const sample = () =>
      api
        .get<{ metrics: Metric[] }>('/api/metrics')
        .then((response) => this.#add(response.metrics))
        .catch((error: unknown) => {
          this.problem = error instanceof Error ? error.message : String(error);
          this.changed();
        });
    void sample();
    this.#timer = setInterval(() => void sample(), everyMs);
  }

  /** A series by metric name, summed over labels; `filter` keeps only values whose labels match. */
  series(name: string, filter: Record<string, string> = {}): number[] {
    return this.#series.get(seriesKey(name, filter)) ?? [];
  }

  #add(metrics: Metric[]): void {
    this.latest = metrics;
    this.problem = undefined;
    this.times.push(Date.now() / 1_000);
    const at = this.times.length - 1;
    for (const metric of metrics) {
      if (metric.type === 'histogram') continue;
      const sums = new Map<string, number>([[seriesKey(metric.name, {}), 0]]);
      for (const value of metric.values) {
        if (!Number.isFinite(value.value)) continue;
        const total = seriesKey(metric.name, {});
        sums.set(total, (sums.get(total) ?? 0) + value.value);
        for (const [label, labelValue] of Object.entries(value.labels)) {
          const key = seriesKey(metric.name, { [label]: String(labelValue) });
          sums.set(key, (sums.get(key) ?? 0) + value.value);
        }
      }
      for (const [key, sum] of sums) {
        const series = this.#series.get(key) ?? [];
        while (series.length < at) series.push(0);
        series[at] = Math.round(sum * 1_000) / 1_000;
        this.#series.set(key, series);
      }
    }
    if (this.times.length > keep) {
      this.times.shift();
      for (const series of this.#series.values()) series.shift();
    }
    this.changed();
  }
}

function seriesKey(name: string, filter: Record<string, string>): string {
  const labels = Object.entries(filter)
    .map(([label, value]) => `${label}=${value}`)
    .join(',');
  return labels === '' ? name : `${name}{${labels}}`;
}
