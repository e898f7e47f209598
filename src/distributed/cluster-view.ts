/**
 * What the dashboard and `/metrics` show of distributed mode: the registered workers (alive or not, what
 * each runs now) and the depth of each agent's queue, read from Redis when asked.
 */
import type { Redis } from 'ioredis';
import type { AgentQueues } from './agent-queues.js';
import { isAlive, listWorkers, type WorkerEntry } from './worker-registry.js';

export interface ClusterSnapshot {
  /** The Redis, password hidden. */
  redis: string;
  workers: Array<WorkerEntry & { alive: boolean }>;
  /** Per agent whose queue this coordinator used: jobs waiting for a worker, and running. */
  queues: Array<{ agent: string; waiting: number; active: number }>;
}

export interface ClusterView {
  snapshot(): Promise<ClusterSnapshot>;
}

export function clusterView(options: {
  redis: Redis;
  prefix: string;
  shown: string;
  queues: AgentQueues;
  now(): number;
}): ClusterView {
  return {
    async snapshot() {
      const [entries, queues] = await Promise.all([
        listWorkers(options.redis, options.prefix),
        options.queues.depths(),
      ]);
      const now = options.now();
      return {
        redis: options.shown,
        workers: entries.map((entry) => ({ ...entry, alive: isAlive(entry, now) })),
        queues: queues.sort((a, b) => a.agent.localeCompare(b.agent)),
      };
    },
  };
}
