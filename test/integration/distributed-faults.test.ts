import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Queue } from 'bullmq';
import { connectionOptions, redisTarget } from '../../src/distributed/redis-connection.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { isAlive, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  clusterWith,
  markerLines,
  planFile,
  redisMissing,
  redisUrl,
  succeededRun,
} from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

const skip = await redisMissing();
/** Short locks: a silent worker loses its attempt within seconds, not the default 30. */
const fastLocks = ['--lock-duration', '2000'];

test('a worker SIGKILLed mid-step: its agent dies with it, the attempt runs again on another worker from its start, and no completed step runs again', {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster, workers } = await clusterWith(['left', 'right'], { args: fastLocks });
  const markers = tempDir('ai-collab-markers-');
  const slowMarker = join(markers, 'slow');
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: survive-a-worker
steps:
  - { id: first, agent: shell, isolate: true, run: 'echo "$(pwd)" >> ${join(markers, 'first')}; echo first > first.txt' }
  - id: slow
    agent: shell
    isolate: true
    needs: [first]
    run: 'echo "$$ $(pwd)" >> ${slowMarker}; test -f first.txt || exit 3; if [ "$(wc -l < ${slowMarker})" -lt 2 ]; then echo partial > partial.txt; sleep 300; fi; echo slow > slow.txt'
`);
  const coordinator = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(slowMarker).length === 1, 'the slow step to start on a worker', 120_000);
  const [shellPid, where] = (markerLines(slowMarker)[0] ?? '').split(' ');
  const victim = workers.find((worker) => where?.startsWith(worker.directory));
  assert.ok(victim, `the slow step runs in a worker's checkout: ${where}`);
  victim.process.child.kill('SIGKILL');
  await waitFor(() => !isAlive(Number(shellPid)), "the killed worker's agent process to die", 60_000);
  const run = succeededRun(await coordinator.result);
  const starts = markerLines(slowMarker);
  assert.equal(starts.length, 2, starts.join('\n'));
  const survivor = workers.find((worker) => worker !== victim);
  assert.ok(
    starts[1]?.split(' ')[1]?.startsWith(survivor?.directory ?? '?'),
    `re-run on the other worker: ${starts[1]}`,
  );
  assert.equal(markerLines(join(markers, 'first')).length, 1, 'the completed step did not run again');
  const branch = runBranchName(run.runId);
  assert.equal(fileOnBranch(repo, branch, 'slow.txt'), 'slow\n');
  assert.equal(
    fileOnBranch(repo, branch, 'partial.txt'),
    undefined,
    'the re-run started from the start commit',
  );
});

test('a malformed or foreign job payload fails with the reason and the worker keeps serving', {
  skip,
  timeout: 240_000,
}, async () => {
  const { cluster } = await clusterWith(['steady']);
  const queue = new Queue('agent-shell', {
    connection: connectionOptions(redisTarget(redisUrl, 'test')),
    prefix: cluster.prefix,
  });
  try {
    const malformed = await queue.add('attempt', { hello: 'world' }, { jobId: 'malformed-1' });
    const foreign = await queue.add(
      'attempt',
      {
        protocol: 1,
        runId: 'r1',
        stepId: 's',
        attempt: 1,
        attemptId: 'foreign-0001',
        step: {
          id: 's',
          label: 's',
          agent: 'claude',
          needs: [],
          retries: 0,
          backoff: { initialMs: 1, maxMs: 1, factor: 1 },
        },
        startCommit: '0'.repeat(40),
        git: { url: 'http://127.0.0.1:1/x' },
      },
      { jobId: 'foreign-0001' },
    );
    for (const [job, reason] of [
      [malformed, /malformed attempt payload: protocol: /],
      [foreign, /foreign attempt payload: step agent "claude" on the queue of "shell"/],
    ] as const) {
      await waitFor(async () => (await job.getState()) === 'failed', `job ${job.id} to fail`, 60_000);
      const failed = await queue.getJob(job.id ?? '');
      assert.match(failed?.failedReason ?? '', reason);
    }
  } finally {
    await queue.close();
  }
  const repo = gitRepo();
  const plan = planFile(
    'name: after\nsteps:\n  - { id: a, agent: shell, isolate: true, run: "echo ok > ok.txt" }\n',
  );
  const result = await cluster.runPlan(plan, repo);
  assert.equal(result.code, 0, result.stderr);
});

test('a worker frozen (SIGSTOP) past its lock: the attempt runs elsewhere meanwhile; thawed, its agent is killed, its report is recorded as stale and its late work never lands', {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster, workers } = await clusterWith(['frozen', 'awake'], { args: fastLocks });
  const markers = tempDir('ai-collab-markers-');
  const slowMarker = join(markers, 'slow');
  const release = join(markers, 'release');
  const repo = gitRepo({ 'README.md': 'project\n' });
  // The first execution writes late.txt and sleeps; the second waits for the test's release, so the
  // thawed worker's report arrives while the attempt still runs elsewhere.
  const plan = planFile(`name: fence-a-frozen-worker
steps:
  - id: slow
    agent: shell
    isolate: true
    run: 'echo "$$ $(pwd)" >> ${slowMarker}; if [ "$(wc -l < ${slowMarker})" -lt 2 ]; then echo late > late.txt; sleep 300; fi; while [ ! -f ${release} ]; do sleep 0.1; done; echo slow > slow.txt'
`);
  const coordinator = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(slowMarker).length === 1, 'the slow step to start on a worker', 120_000);
  const [shellPid, where] = (markerLines(slowMarker)[0] ?? '').split(' ');
  const stopped = workers.find((worker) => where?.startsWith(worker.directory));
  assert.ok(stopped, `the slow step runs in a worker's checkout: ${where}`);
  stopped.process.child.kill('SIGSTOP');
  try {
    await waitFor(
      () => markerLines(slowMarker).length === 2,
      'the attempt to run on the other worker',
      120_000,
    );
  } finally {
    stopped.process.child.kill('SIGCONT');
  }
  await waitFor(() => !isAlive(Number(shellPid)), "the thawed worker's agent process to be killed", 60_000);
  const stale = new RegExp(`set aside a stale report from worker ${stopped.name} \\(attempt [0-9a-f-]+\\)`);
  await waitFor(() => stale.test(coordinator.stderrSoFar()), 'the stale report to be recorded', 60_000);
  writeFileSync(release, '');
  const run = succeededRun(await coordinator.result);
  assert.equal(markerLines(slowMarker).length, 2);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'late.txt'), undefined);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'slow.txt'), 'slow\n');
  assert.ok(isAlive(stopped.process.child.pid ?? 0), 'the thawed worker keeps serving');
});
