/**
 * Distributed mode through the server's API: `GET /api/workers` lists the workers registered on the real
 * Redis (alive or gone, what they run) and each used agent queue's depth; `/metrics` has the same per
 * worker and per queue; a server without a Redis says it is not in distributed mode.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { z } from 'zod';
import { AgentQueues } from '../../src/distributed/agent-queues.js';
import { clusterView } from '../../src/distributed/cluster-view.js';
import { attemptJobSchema, protocolVersion } from '../../src/distributed/job-protocol.js';
import { redisTarget } from '../../src/distributed/redis-connection.js';
import { writeHeartbeat } from '../../src/distributed/worker-registry.js';
import { planOf } from '../support/test-engine.js';
import { openCluster, redisMissing, redisUrl } from './distributed-support.js';
import { startTestServer, type TestServer } from './server-harness.js';

const skip = await redisMissing();

const workersAnswer = z.union([
  z.object({ distributed: z.literal(false) }),
  z.object({
    distributed: z.literal(true),
    redis: z.string(),
    workers: z.array(
      z.object({ name: z.string(), host: z.string(), alive: z.boolean(), running: z.array(z.unknown()) }),
    ),
    queues: z.array(z.object({ agent: z.string(), waiting: z.number(), active: z.number() })),
  }),
]);

async function get(server: TestServer, path: string): Promise<Response> {
  return fetch(`${server.server.url}${path}`, {
    headers: { authorization: `Bearer ${server.server.token}` },
  });
}

test('GET /api/workers and /metrics show the workers on Redis and the queue depth; without Redis, not distributed', {
  skip,
}, async () => {
  const cluster = openCluster();
  const target = redisTarget(redisUrl, 'test');
  const queues = new AgentQueues({
    target,
    prefix: cluster.prefix,
    redis: cluster.redis,
    concurrencyOf: () => 1,
  });
  const view = clusterView({
    redis: cluster.redis,
    prefix: cluster.prefix,
    shown: target.shown,
    queues,
    now: Date.now,
  });
  const local = await startTestServer();
  const distributed = await startTestServer({ stats: { cluster: view.snapshot } });
  after(async () => {
    await local.close();
    await distributed.close();
    await queues.close();
  });
  const now = Date.now();
  const running = [{ runId: 'r1', stepId: 'compile', attempt: 2, attemptId: 'attempt-0002' }];
  for (const [name, heartbeatAt] of [
    ['north', now],
    ['south', now - 120_000],
  ] as const)
    await writeHeartbeat(cluster.redis, cluster.prefix, {
      ...{ id: `id-${name}`, name, host: `${name}.lan`, pid: 1, agents: ['timer'], unavailable: [] },
      ...{ running: name === 'north' ? running : [], concurrency: 4, startedAt: now - 200_000, heartbeatAt },
    });
  const [step] = planOf([{ id: 'queued' }]).steps;
  const job = attemptJobSchema.parse({
    ...{ protocol: protocolVersion, runId: 'r2', stepId: 'queued', attempt: 1, step },
    ...{ attemptId: `queued-${randomBytes(4).toString('hex')}`, startCommit: 'a'.repeat(40) },
    git: { url: 'http://127.0.0.1:1/none.git' },
  });
  const watch = await queues.submit('timer', job, {
    onProgress: () => {},
    onStalled: () => {},
    onActive: () => {},
    onStale: () => {},
  });
  after(() => watch.dispose());

  assert.deepEqual(workersAnswer.parse(await (await get(local, '/api/workers')).json()), {
    distributed: false,
  });
  assert.equal((await fetch(`${distributed.server.url}/api/workers`)).status, 401);
  const answer = workersAnswer.parse(await (await get(distributed, '/api/workers')).json());
  assert.ok(answer.distributed);
  assert.equal(answer.redis, 'redis://127.0.0.1:6379');
  assert.deepEqual(
    answer.workers.map((worker) => [worker.name, worker.host, worker.alive, worker.running.length]),
    [
      ['north', 'north.lan', true, 1],
      ['south', 'south.lan', false, 0],
    ],
  );
  assert.deepEqual(answer.queues, [{ agent: 'timer', waiting: 1, active: 0 }]);
  const metrics = await (await get(distributed, '/metrics')).text();
  assert.match(metrics, /ai_collab_worker_running_attempts\{worker="north",host="north\.lan"\} 1/);
  // A worker that is gone runs nothing any more.
  assert.doesNotMatch(metrics, /ai_collab_worker_running_attempts\{worker="south"/);
  assert.match(metrics, /ai_collab_queue_jobs\{agent="timer",state="waiting"\} 1/);
  assert.match(metrics, /ai_collab_queue_jobs\{agent="timer",state="active"\} 0/);
});
