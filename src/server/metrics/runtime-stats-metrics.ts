/**
 * Agent pools, provider limiters and slots, read from the process's live statistics at scrape time. Their
 * totals are monotonic per pool or limiter; the counters here add the growth seen since the last scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RuntimeStats } from '../engine-port.js';
import { registerClusterMetrics } from './cluster-metrics.js';

export function registerRuntimeStats(stats: RuntimeStats, registers: Registry[]): void {
  if (stats.pools) registerPools(stats.pools.bind(stats), registers);
  if (stats.limiters) registerLimiters(stats.limiters.bind(stats), registers);
  if (stats.cluster) registerClusterMetrics(stats.cluster.bind(stats), registers);
  if (stats.slots) {
    const slots = stats.slots.bind(stats);
    new Gauge({
      name: 'ai_collab_slots_in_use',
      help: 'Concurrency slots of this process in use.',
      registers,
      collect() {
        this.set(slots().inUse);
      },
    });
    new Gauge({
      name: 'ai_collab_slots_capacity',
      help: 'Concurrency slots of this process (Infinity when unlimited).',
      registers,
      collect() {
        this.set(slots().capacity);
      },
    });
  }
}

/** A counter that mirrors a monotonic total read from elsewhere; a total that went down restarted from 0. */
function mirroredCounter<T extends string>(
  name: string,
  help: string,
  labelNames: T[],
  registers: Registry[],
  read: () => Array<{ labels: Record<T, string>; value: number }>,
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      for (const { labels, value } of read()) {
        const key = JSON.stringify(labels);
        const previous = last.get(key) ?? 0;
        const growth = value >= previous ? value - previous : value;
        last.set(key, value);
        if (growth > 0) this.inc(labels, growth);
      }
    },
  });
}

function registerPools(pools: NonNullable<RuntimeStats['pools']>, registers: Registry[]): void {
  const totals = (field: 'spawned' | 'recycled' | 'crashed') => () => {
    const byAgent = new Map<string, number>();
    for (const { agent, stats } of pools()) byAgent.set(agent, (byAgent.get(agent) ?? 0) + stats[field]);
    return [...byAgent].map(([agent, value]) => ({ labels: { agent }, value }));
  };
  new Gauge({
    name: 'ai_collab_pool_processes',
    help: 'Agent processes in pools, by agent and state (busy, idle).',
    labelNames: ['agent', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { agent, stats } of pools()) {
        this.inc({ agent, state: 'busy' }, stats.busy);
        this.inc({ agent, state: 'idle' }, stats.idle);
      }
    },
  });
  mirroredCounter(
    'ai_collab_pool_spawns_total',
    'Agent processes spawned.',
    ['agent'],
    registers,
    totals('spawned'),
  );
  mirroredCounter(
    'ai_collab_pool_recycles_total',
    'Agent processes recycled.',
    ['agent'],
    registers,
    totals('recycled'),
  );
  mirroredCounter(
    'ai_collab_pool_crashes_total',
    'Agent processes that crashed.',
    ['agent'],
    registers,
    totals('crashed'),
  );
}

function registerLimiters(limiters: NonNullable<RuntimeStats['limiters']>, registers: Registry[]): void {
  const read = (value: (stats: ReturnType<typeof limiters>[number]['stats']) => number) => () =>
    limiters().map(({ key, stats }) => ({ labels: { provider: key }, value: value(stats) }));
  mirroredCounter(
    'ai_collab_limiter_requests_total',
    'Requests that went through a provider limiter.',
    ['provider'],
    registers,
    read((stats) => stats.requests),
  );
  mirroredCounter(
    'ai_collab_limiter_rate_limited_total',
    'Provider answers of 429 (rate limited).',
    ['provider'],
    registers,
    read((stats) => stats.rateLimited),
  );
  mirroredCounter(
    'ai_collab_limiter_wait_seconds_total',
    'Time requests waited for a provider limiter.',
    ['provider'],
    registers,
    read((stats) => stats.waitedMs / 1_000),
  );
  const gauge = (
    name: string,
    help: string,
    value: (stats: ReturnType<typeof limiters>[number]['stats']) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const { key, stats } of limiters()) this.set({ provider: key }, value(stats));
      },
    });
  gauge(
    'ai_collab_limiter_concurrency_cap',
    'Adaptive concurrency cap of a provider.',
    (stats) => stats.concurrencyCap,
  );
  gauge('ai_collab_limiter_in_flight', 'Requests in flight to a provider.', (stats) => stats.inFlight);
  gauge('ai_collab_limiter_paused', '1 while a provider is paused after a 429.', (stats) =>
    stats.pausedUntil ? 1 : 0,
  );
}
