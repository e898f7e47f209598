import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  type Cluster,
  clusterWith,
  markerLines,
  planFile,
  redisMissing,
  redisUrl,
  succeededRun,
} from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

// The coordinator's git processes, counted by a `git` first on its PATH that logs each call and runs the
// real one: a step that changes nothing costs the coordinator no git process of its own.

const skip = await redisMissing();

/** `steps` shell steps that change nothing; `isolate` gives each its own worktree (a run branch). */
function noOpPlan(steps: number, markers: string, isolate = false): string {
  const lines = Array.from(
    { length: steps },
    (_, index) =>
      `  - { id: s${index}, agent: shell, isolate: ${isolate}, run: 'echo ran >> ${join(markers, `s${index}`)}' }`,
  );
  return planFile(`name: no-op-${steps}\nconcurrency: 4\nsteps:\n${lines.join('\n')}\n`);
}

/** Runs `steps` no-op shell steps on the cluster and returns the coordinator's git calls. */
async function gitCallsOf(cluster: Cluster, steps: number, isolate = false): Promise<string[]> {
  const bin = tempDir('ai-collab-git-log-');
  const log = join(bin, 'calls.log');
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/env PATH='${process.env.PATH}' git "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  const markers = tempDir('ai-collab-markers-');
  mkdirSync(markers, { recursive: true });
  const repo = gitRepo({ 'README.md': 'project\n' });
  const result = await runCli(
    ['run', noOpPlan(steps, markers, isolate), '--yes', '--no-review', '--json', '--redis', redisUrl],
    { cwd: repo, env: { ...cluster.env(), PATH: `${bin}:${process.env.PATH}` } },
  );
  succeededRun(result);
  for (let index = 0; index < steps; index++) assert.equal(markerLines(join(markers, `s${index}`)).length, 1);
  return markerLines(log).map((call) => call.replace(/^(-c \S+ )+/, '').replace(/\/tmp\/\S+/g, '<temp>'));
}

test('a no-op step costs the coordinator no git process: 1 step and 20 steps make the same git calls', {
  skip,
  timeout: 900_000,
}, async () => {
  const { cluster } = await clusterWith(['counted'], { args: ['--concurrency', '4'] });
  const one = await gitCallsOf(cluster, 1);
  const twenty = await gitCallsOf(cluster, 20);
  process.stderr.write(`coordinator git calls: 1 step ${one.length}, 20 steps ${twenty.length}\n`);
  // `http-backend` serves the workers' fetches: theirs, counted on their side.
  const own = (calls: string[]) => calls.filter((call) => call !== 'http-backend').sort();
  assert.deepEqual(own(twenty), own(one), 'no call is made per step');
  assert.equal(
    own(twenty).filter((call) => call === 'rev-parse HEAD').length,
    1,
    "the checkout's start, once per run",
  );
});

test("steps in the run's worktrees start where the engine prepared them: the coordinator never asks git for HEAD", {
  skip,
  timeout: 900_000,
}, async () => {
  const { cluster } = await clusterWith(['counted'], { args: ['--concurrency', '4'] });
  const calls = await gitCallsOf(cluster, 5, true);
  process.stderr.write(`coordinator git calls for 5 isolated steps: ${calls.length}\n`);
  assert.deepEqual(
    calls.filter((call) => call === 'rev-parse HEAD'),
    [],
  );
});
