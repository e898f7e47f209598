/**
 * The process's live statistics for `/metrics`: agent process pools, provider rate limiters and
 * concurrency slots, read at scrape time from the runtime.
 */
import type { PoolStats } from '../agents/pool/process-pool.js';
import type { RuntimeStats } from '../server/engine-port.js';
import { isRecord } from '../support/json-record.js';
import type { Runtime } from './runtime.js';

const poolFields = [
  'live',
  'idle',
  'busy',
  'spawned',
  'recycled',
  'crashed',
  'warmHits',
  'coldStarts',
] as const;

export function runtimeStats(runtime: Runtime): RuntimeStats {
  return {
    pools: () =>
      runtime.agents.names().flatMap((name) => {
        const stats = poolStatsOf(runtime.agents.get(name));
        return stats ? [{ agent: name, stats }] : [];
      }),
    slots: () => ({ inUse: runtime.slots.inUse, capacity: runtime.slots.capacity }),
    ...(runtime.distributed && { cluster: runtime.distributed.cluster.snapshot }),
    ...(runtime.limiters && {
      limiters: () =>
        (runtime.limiters?.all() ?? []).map((limiter) => ({ key: limiter.name, stats: limiter.stats() })),
    }),
  };
}

/**
 * Pooled adapters report their pool (claude: one per working directory, summed here); others have none.
 * Read structurally, so an adapter gains metrics by having `poolStats()` and nothing else.
 */
function poolStatsOf(agent: object | undefined): PoolStats | undefined {
  if (!agent || !('poolStats' in agent) || typeof agent.poolStats !== 'function') return undefined;
  const reported: unknown = agent.poolStats();
  const list = Array.isArray(reported) ? reported : reported === undefined ? [] : [reported];
  const total: PoolStats = {
    live: 0,
    idle: 0,
    busy: 0,
    spawned: 0,
    recycled: 0,
    crashed: 0,
    warmHits: 0,
    coldStarts: 0,
  };
  let found = false;
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    found = true;
    for (const field of poolFields) {
      const value = entry[field];
      if (typeof value === 'number') total[field] += value;
    }
  }
  return found ? total : undefined;
}
