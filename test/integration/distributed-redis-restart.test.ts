import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  markerLines,
  openCluster,
  planFile,
  redisMissing,
  startPrivateRedis,
  succeededRun,
} from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

// Each test runs its own Redis (AOF on, a free port), so it can stop and restart it without touching the
// machine's shared Redis.

const skip = await redisMissing();

/** A plan whose `hold` step runs until `release` exists, with steps before, beside and after it. */
function heldPlan(markers: string, release: string): string {
  const mark = (id: string) => `echo "$(pwd)" >> ${join(markers, id)}`;
  return planFile(`name: outlive-redis
concurrency: 3
steps:
  - { id: first, agent: shell, isolate: true, run: '${mark('first')}; echo first > first.txt' }
  - id: hold
    agent: shell
    isolate: true
    needs: [first]
    run: '${mark('hold')}; while [ ! -f ${release} ]; do sleep 0.1; done; echo hold > hold.txt'
  - { id: beside, agent: shell, isolate: true, needs: [first], run: '${mark('beside')}; echo beside > beside.txt' }
  - { id: after-a, agent: shell, isolate: true, needs: [hold], run: '${mark('after-a')}; cat hold.txt > a.txt' }
  - { id: after-b, agent: shell, isolate: true, needs: [hold], run: '${mark('after-b')}; cat hold.txt > b.txt' }
  - { id: last, agent: shell, needs: [after-a, after-b, beside], run: '${mark('last')}; test -f a.txt && test -f b.txt' }
`);
}

const stepIds = ['first', 'hold', 'beside', 'after-a', 'after-b', 'last'];

/**
 * A cluster on a private Redis with the given workers, and a coordinator running the held plan in a fresh
 * repository, returned once its `hold` step runs on a worker and `beside` has landed (so Redis goes away with
 * exactly one attempt in flight).
 */
async function startHeldRun(workerNames: string[]) {
  const redis = await startPrivateRedis();
  const cluster = openCluster(redis);
  // Two slots each: `beside` runs alongside `hold` on any worker, whichever of them a worker takes first.
  const workers = await Promise.all(
    workerNames.map((name) => cluster.startWorker(name, { args: ['--concurrency', '2'] })),
  );
  const markers = tempDir('ai-collab-markers-');
  const release = join(markers, 'release');
  const repo = gitRepo({ 'README.md': 'project\n' });
  const coordinator = cluster.startCoordinator(
    ['run', heldPlan(markers, release), '--yes', '--no-review', '--json'],
    repo,
  );
  await waitFor(() => markerLines(join(markers, 'hold')).length === 1, 'the held step to run', 120_000);
  // Only `hold` is in flight when Redis goes: `beside` has landed (a step cut short in its merge would run
  // again on resume, by design; that is not what these tests are about).
  await waitFor(
    () => coordinator.stderrSoFar().includes('step beside succeeded'),
    'the step beside the held one to land',
    120_000,
  );
  return { redis, cluster, workers, markers, release, repo, coordinator };
}

test('Redis (AOF on) restarted mid-run: the coordinator and workers say so, wait, reconnect, and every step runs once', {
  skip,
  timeout: 480_000,
}, async () => {
  const { redis, workers, markers, release, repo, coordinator } = await startHeldRun(['one', 'two']);
  await redis.stop();
  const lost = `lost Redis at ${redis.url}`;
  await waitFor(
    () => coordinator.stderrSoFar().includes(lost),
    'the coordinator to say Redis is lost',
    60_000,
  );
  for (const worker of workers)
    await waitFor(() => worker.process.stderrSoFar().includes(lost), `${worker.name} to say so`, 60_000);
  await redis.start();
  await waitFor(
    () => coordinator.stderrSoFar().includes(`Redis at ${redis.url} is back`),
    'the coordinator to reconnect',
    60_000,
  );
  writeFileSync(release, '');
  const run = succeededRun(await coordinator.result);
  for (const id of stepIds) assert.equal(markerLines(join(markers, id)).length, 1, `${id} ran once`);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'a.txt'), 'hold\n');
  for (const worker of workers)
    assert.match(worker.process.stderrSoFar(), /is back; continuing/, `${worker.name} reconnected`);
});

test('Redis lost mid-run and the coordinator killed while it waits: once Redis is back, resume finishes the run and nothing runs twice', {
  skip,
  timeout: 480_000,
}, async () => {
  const { redis, cluster, markers, release, repo, coordinator } = await startHeldRun(['steady']);
  await redis.stop();
  await waitFor(
    () => coordinator.stderrSoFar().includes(`lost Redis at ${redis.url}; waiting`),
    'the coordinator to say it waits for Redis',
    60_000,
  );
  coordinator.child.kill('SIGKILL');
  await coordinator.result;
  await redis.start();
  writeFileSync(release, '');
  const resumed = await cluster.coordinator(['resume', '--json'], repo);
  const run = succeededRun(resumed);
  for (const id of stepIds) assert.equal(markerLines(join(markers, id)).length, 1, `${id} ran once`);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'b.txt'), 'hold\n');
});
