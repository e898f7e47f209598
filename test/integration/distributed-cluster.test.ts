import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { clusterWith, markerLines, planFile, redisMissing, redisUrl } from './distributed-support.js';
import { checkoutSnapshot, fileOnBranch, gitRepo } from './workspace-support.js';

const skip = await redisMissing();

const statusJson = z.object({
  steps: z.array(
    z.object({ id: z.string(), worker: z.object({ worker: z.string(), host: z.string() }).optional() }),
  ),
});
const workersJson = z.object({
  redis: z.string(),
  workers: z.array(z.object({ name: z.string(), alive: z.boolean(), agents: z.array(z.string()) })),
});

test('a coordinator and three workers (own folders and HOMEs) run a shell plan; every step runs once, on a worker, and merges', {
  skip,
  timeout: 480_000,
}, async () => {
  const { cluster, workers } = await clusterWith(['one', 'two', 'three']);
  const repoless = tempDir('ai-collab-elsewhere-');
  const listed = workersJson.parse(
    JSON.parse(
      (
        await runCli(['workers', '--redis', redisUrl, '--json'], {
          cwd: workers[0]?.directory ?? repoless,
          env: cluster.env(),
        })
      ).stdout,
    ),
  );
  assert.deepEqual(
    listed.workers.map((worker) => [worker.name, worker.alive, worker.agents.includes('shell')]),
    [
      ['one', true, true],
      ['three', true, true],
      ['two', true, true],
    ],
  );
  const markers = tempDir('ai-collab-markers-');
  const mark = (id: string) => `echo "$(pwd)" >> ${join(markers, id)}`;
  const repo = gitRepo({ 'README.md': 'project\n' });
  const before = checkoutSnapshot(repo);
  const plan = planFile(`name: three-workers
concurrency: 3
steps:
  - { id: one, agent: shell, isolate: true, run: '${mark('one')}; echo one > one.txt' }
  - { id: two, agent: shell, isolate: true, run: '${mark('two')}; echo two > two.txt' }
  - { id: three, agent: shell, isolate: true, run: '${mark('three')}; echo three > three.txt' }
  - { id: both, agent: shell, isolate: true, needs: [one, two], run: '${mark('both')}; cat one.txt two.txt > both.txt' }
  - { id: check, agent: shell, needs: [both, three], run: '${mark('check')}; test -f both.txt && test -f three.txt' }
`);
  const run = await cluster.runToSuccess(plan, repo);
  const branch = runBranchName(run.runId);
  assert.equal(fileOnBranch(repo, branch, 'one.txt'), 'one\n');
  assert.equal(fileOnBranch(repo, branch, 'three.txt'), 'three\n');
  assert.equal(fileOnBranch(repo, branch, 'both.txt'), 'one\ntwo\n');
  const status = statusJson.parse(
    JSON.parse((await runCli(['status', run.runId, '--json'], { cwd: repo, env: cluster.env() })).stdout),
  );
  for (const id of ['one', 'two', 'three', 'both', 'check']) {
    const lines = markerLines(join(markers, id));
    assert.equal(lines.length, 1, `${id} ran once: ${lines.join(', ')}`);
    const ranOn = workers.find((worker) => lines[0]?.startsWith(worker.directory) === true);
    assert.ok(ranOn, `${id} ran in a worker's checkout, not the coordinator's: ${lines[0]}`);
    // The log names the worker whose checkout the step ran in, and its machine.
    assert.deepEqual(
      status.steps.find((step) => step.id === id)?.worker,
      { worker: ranOn.name, host: hostname() },
      `status --json names the worker that ran ${id}`,
    );
  }
  assert.deepEqual(checkoutSnapshot(repo), before, "the user's checkout is untouched until apply");
});

test('outside a git repository --redis is refused with the reason; an unreachable Redis is named without its password', {
  skip,
  timeout: 240_000,
}, async () => {
  const folder = tempDir('ai-collab-no-git-');
  const plan = join(folder, 'plan.yaml');
  writeFileSync(plan, 'name: p\nsteps:\n  - { id: a, agent: shell, run: "true" }\n');
  const outside = await runCli(['run', plan, '--yes', '--redis', redisUrl], { cwd: folder });
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /not in a git repository; distributed mode needs one/);
  assert.match(outside.stderr, /git init/);

  const repo = gitRepo();
  const unreachable = await runCli(['run', plan, '--yes', '--redis', 'redis://:hunter2secret@127.0.0.1:1'], {
    cwd: repo,
  });
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.stderr, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
  assert.match(unreachable.stderr, /start Redis there/);
  assert.doesNotMatch(unreachable.stdout + unreachable.stderr, /hunter2secret/);

  const worker = await runCli(['worker', '--redis', 'rediss://user:hunter2secret@127.0.0.1:1'], {
    cwd: folder,
  });
  assert.equal(worker.code, 2);
  assert.doesNotMatch(worker.stdout + worker.stderr, /hunter2secret/);
});
