/**
 * Distributed mode in `/metrics`: attempts running on each live worker and jobs per agent queue, read
 * from Redis at scrape time. The gauges of one scrape share one read; when Redis does not answer they
 * are empty for that scrape rather than failing the whole page.
 */
import { Gauge, type Registry } from 'prom-client';
import type { ClusterSnapshot } from '../../distributed/cluster-view.js';

export function registerClusterMetrics(read: () => Promise<ClusterSnapshot>, registers: Registry[]): void {
  let pending: Promise<ClusterSnapshot | undefined> | undefined;
  const snapshot = () => {
    pending ??= read()
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  new Gauge({
    name: 'ai_collab_worker_running_attempts',
    help: 'Step attempts running on each live worker (distributed mode).',
    labelNames: ['worker', 'host'],
    registers,
    async collect() {
      const cluster = await snapshot();
      this.reset();
      for (const worker of cluster?.workers ?? [])
        if (worker.alive) this.set({ worker: worker.name, host: worker.host }, worker.running.length);
    },
  });
  new Gauge({
    name: 'ai_collab_queue_jobs',
    help: "Jobs on each agent's queue, waiting for a worker or running (distributed mode).",
    labelNames: ['agent', 'state'],
    registers,
    async collect() {
      const cluster = await snapshot();
      this.reset();
      for (const queue of cluster?.queues ?? []) {
        this.set({ agent: queue.agent, state: 'waiting' }, queue.waiting);
        this.set({ agent: queue.agent, state: 'active' }, queue.active);
      }
    },
  });
}
