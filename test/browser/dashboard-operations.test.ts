/**
 * What budgets, distributed mode and failover add to the dashboard, in a real browser: a run paused at its
 * budget (spend against budget, the forecast of what is left, the spend plot), the workers view with and
 * without a Redis (workers from the real registry on the real Redis, queue depth), the worker that ran a step
 * in its panel and on the Gantt chart, and a failover and a parked step on the Gantt chart with their
 * reasons. Every view passes axe-core; screenshots at 1400×900 and 400 px wide go to .artifacts/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { AgentQueues } from '../../src/distributed/agent-queues.js';
import { clusterView } from '../../src/distributed/cluster-view.js';
import { attemptJobSchema, protocolVersion } from '../../src/distributed/job-protocol.js';
import { redisTarget } from '../../src/distributed/redis-connection.js';
import { removeWorker, writeHeartbeat } from '../../src/distributed/worker-registry.js';
import { redisMissing, redisUrl } from '../integration/distributed-support.js';
import { TalkingAgent, type TalkingStep } from '../integration/server-agents.js';
import { startTestServer, type TestServer } from '../integration/server-harness.js';
import { planOf } from '../support/test-engine.js';
import { artifacts, browserMissing, openBrowser } from './browser-session.js';
import { assertAccessible, screenshots } from './page-checks.js';

const skip = browserMissing || (await redisMissing());
const east = { worker: 'w-east', host: 'build-01' };

function script(stepId: string, attempt: number): TalkingStep {
  if (stepId.startsWith('spend-'))
    return { durationMs: 100, usage: { inputTokens: 2_000, outputTokens: 400, costUsd: 0.1 } };
  if (stepId === 'limited' || (stepId === 'quota' && attempt === 1))
    return { durationMs: 100, say: ['Asking the model…\n'], usageLimitResetsInMs: 1_500 };
  if (stepId === 'remote') return { durationMs: 300, say: ['Running on a worker.\n'], worker: east };
  return { durationMs: 150 };
}

let local: TestServer;
let distributed: TestServer;
let redis: Redis;
let queues: AgentQueues;
const prefix = `t-${randomBytes(5).toString('hex')}`;
let context: BrowserContext;
let page: Page;

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  // `spare` is the fallback that takes a step whose agent met its usage limit.
  const agents = () => [
    new TalkingAgent('timer', script),
    new TalkingAgent('spare', () => ({ durationMs: 150 })),
  ];
  local = await startTestServer({ agents: agents() });
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const target = redisTarget(redisUrl, 'test');
  queues = new AgentQueues({ target, prefix, redis, concurrencyOf: () => undefined });
  const cluster = clusterView({ redis, prefix, shown: target.shown, queues, now: () => Date.now() });
  distributed = await startTestServer({ agents: agents(), stats: { cluster: cluster.snapshot } });
  ({ context, page } = await openBrowser(local.server.loginUrl()));
});

after(async () => {
  await context?.close();
  await local?.close();
  await distributed?.close();
  await queues?.close();
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

test('a run paused at its budget: spend against the budget, the forecast of the rest, the spend plot', {
  skip,
}, async () => {
  const ids = Array.from({ length: 6 }, (_, index) => `spend-${index}`);
  const created = local.engine.createRun({
    plan: {
      ...planOf(
        ids.map((id) => ({ id })),
        { concurrency: 2, name: 'on-a-budget' },
      ),
      budget: { usd: 0.25 },
    },
    workspace: local.stateDir,
    planFile: null,
  });
  const paused = await local.engine.startRun(created.runId).done;
  assert.equal(paused.status, 'paused');
  await page.goto(`${local.server.url}/#/runs/${created.runId}`);
  const budget = page.getByRole('region', { name: 'Budget and spend' });
  await budget.getByText(/Spent \$0\.20 .* of a \$0\.25 budget/).waitFor();
  await budget.getByText(/Paused: budget reached; 4 step\(s\) wait/).waitFor();
  // The forecast of what is left comes from the steps this run already finished ($0.10 each).
  await budget.getByText(/The 4 step\(s\) still to run will likely cost .*\$0\.40/).waitFor();
  await assertAccessible(page, 'budget');
  await screenshots(page, artifacts, 'budget');
  await page.getByRole('button', { name: 'timeline', exact: true }).click();
  await page.getByTestId('timeline').getByText('Spend against the budget').waitFor();
  await assertAccessible(page, 'budget timeline');
  await screenshots(page, artifacts, 'budget-timeline');
});

test('without a Redis the workers view says the server is not in distributed mode', { skip }, async () => {
  await page.getByRole('link', { name: 'Workers' }).click();
  await page.getByTestId('not-distributed').waitFor();
  await assertAccessible(page, 'workers (local mode)');
  await screenshots(page, artifacts, 'workers-local');
});

test('distributed mode: the live workers and queue depth; the worker that ran a step in its panel and on the Gantt chart', {
  skip,
}, async () => {
  const now = Date.now();
  const running = { runId: 'run-elsewhere', stepId: 'compile', attempt: 1, attemptId: 'attempt-0001' };
  await writeHeartbeat(redis, prefix, {
    ...{ id: 'id-east', name: east.worker, host: east.host, pid: 4242, agents: ['timer', 'spare'] },
    unavailable: [{ agent: 'codex', reason: 'codex is not on PATH' }],
    running: [running],
    concurrency: 2,
    startedAt: now - 60_000,
    heartbeatAt: now,
  });
  await writeHeartbeat(redis, prefix, {
    ...{ id: 'id-west', name: 'w-west', host: 'build-02', pid: 4343, agents: ['timer'] },
    unavailable: [],
    running: [],
    concurrency: 1,
    startedAt: now - 120_000,
    heartbeatAt: now - 60_000,
  });
  // One attempt waits on the timer queue (no worker serves this prefix).
  const watch = await queues.submit('timer', waitingJob(), {
    onProgress: () => {},
    onStalled: () => {},
    onActive: () => {},
    onStale: () => {},
  });
  try {
    await page.goto(distributed.server.loginUrl());
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('link', { name: 'Workers' }).click();
    const workers = page.getByTestId('workers');
    const eastRow = workers.getByRole('row', { name: /w-east/ });
    await eastRow.waitFor();
    assert.match(
      (await eastRow.textContent()) ?? '',
      /build-01.*alive.*timer, spare.*cannot run codex.*codex is not on PATH.*1 of 2.*compile · attempt 1.*ago/,
    );
    assert.match((await workers.getByRole('row', { name: /w-west/ }).textContent()) ?? '', /build-02.*gone/);
    assert.match(
      (await page.getByTestId('queues').getByRole('row', { name: /timer/ }).textContent()) ?? '',
      /timer\s*1\s*0/,
    );
    await assertAccessible(page, 'workers');
    await screenshots(page, artifacts, 'workers');
  } finally {
    await watch.cancel();
    watch.dispose();
    await removeWorker(redis, prefix, 'id-east');
    await removeWorker(redis, prefix, 'id-west');
  }

  const created = distributed.engine.createRun({
    plan: planOf([{ id: 'setup' }, { id: 'remote', needs: ['setup'] }], { name: 'on-workers' }),
    workspace: distributed.stateDir,
    planFile: null,
  });
  await distributed.engine.startRun(created.runId).done;
  await page.goto(`${distributed.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="remote"][data-status="succeeded"]').click();
  const panel = page.getByTestId('step-panel');
  assert.equal(await panel.getByTestId('step-worker').textContent(), 'w-east on build-01');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'timeline', exact: true }).click();
  const row = page.getByTestId('timeline').locator('.gantt-row[data-step="remote"]');
  await row.waitFor();
  assert.match((await row.locator('.gantt-agent').textContent()) ?? '', /timer · w-east on build-01/);
  assert.match(
    (await row.locator('.seg-run > title').textContent()) ?? '',
    /attempt 1: succeeded on worker w-east on build-01/,
  );
  // The step that ran here names no worker.
  assert.equal(await page.locator('.gantt-row[data-step="setup"] .gantt-agent').textContent(), 'timer');
  await assertAccessible(page, 'timeline with workers');
  await screenshots(page, artifacts, 'timeline-workers');
});

test('a failover and a parked step on the Gantt chart, each with its reason', { skip }, async () => {
  const created = local.engine.createRun({
    plan: planOf(
      [
        { id: 'setup' },
        { id: 'limited', needs: ['setup'], fallback: ['spare'] },
        { id: 'quota', needs: ['setup'] },
      ],
      // Both limited steps start together, so each meets the limit in its own attempt.
      { name: 'limits', concurrency: 2 },
    ),
    workspace: local.stateDir,
    planFile: null,
  });
  const done = await local.engine.startRun(created.runId).done;
  assert.equal(done.status, 'succeeded');
  await page.goto(local.server.loginUrl());
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
  await page.goto(`${local.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="quota"][data-status="succeeded"]').waitFor();
  await page.getByRole('button', { name: 'timeline', exact: true }).click();
  const timeline = page.getByTestId('timeline');
  const limited = timeline.locator('.gantt-row[data-step="limited"]');
  await limited.waitFor();
  assert.match(
    (await limited.locator('.seg-failover > title').textContent()) ?? '',
    /limited — failed over timer → spare \(usage-limit\): .*usage limit/,
  );
  assert.equal(await limited.locator('.seg-run').count(), 2);
  const quota = timeline.locator('.gantt-row[data-step="quota"]');
  assert.match(
    (await quota.locator('.seg-parked > title').textContent()) ?? '',
    /quota — parked until a usage limit resets: .*usage limit/,
  );
  await timeline.getByText('failed over to another agent').waitFor();
  await assertAccessible(page, 'failover and parking');
  await screenshots(page, artifacts, 'failover');
});

/** A valid attempt for the `timer` queue that no worker will take (nobody serves this prefix). */
function waitingJob() {
  const [step] = planOf([{ id: 'waiting' }]).steps;
  return attemptJobSchema.parse({
    protocol: protocolVersion,
    runId: 'run-waiting',
    stepId: 'waiting',
    attempt: 1,
    attemptId: `waiting-${randomBytes(4).toString('hex')}`,
    step,
    startCommit: '0'.repeat(40),
    git: { url: 'http://127.0.0.1:1/none.git' },
  });
}
