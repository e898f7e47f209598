import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  markerLines,
  openCluster,
  planFile,
  redisMissing,
  type StartedWorker,
} from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

const skip = await redisMissing();
const runJson = z.object({
  runId: z.string(),
  status: z.string(),
  steps: z.array(z.object({ id: z.string(), status: z.string() })),
});

const stepCount = 1_000;
/** Started attempts after which a worker is killed: four kills spread over the run. */
const killAt = [120, 380, 600, 820];
/**
 * Locks shorter than the default 30 s so a killed worker's attempts come back sooner, yet long enough that a
 * live worker on a machine at load 30 keeps renewing them (4 s was not: a live worker's attempt stalled).
 */
const lockArgs = ['--lock-duration', '15000', '--concurrency', '3'];

/** A small deterministic generator: the same "random" kills every run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('a 1,000-step shell plan across 4 workers with random worker SIGKILLs: every step succeeds and only attempts in flight at a kill repeat', {
  skip,
  timeout: 3_600_000,
}, async () => {
  const cluster = openCluster();
  const random = seeded(14);
  let incarnation = 0;
  const start = (slot: number) => cluster.startWorker(`w${slot}-${++incarnation}`, { args: lockArgs });
  const workers: StartedWorker[] = await Promise.all([0, 1, 2, 3].map(start));
  const killed: StartedWorker[] = [];
  const markers = tempDir('ai-collab-markers-');
  // Every attempt appends "<step> <its directory>" to one file (short O_APPEND writes do not interleave).
  const starts = join(markers, 'starts');
  const steps = Array.from({ length: stepCount }, (_, index) => {
    // Each step after the first 40 needs one earlier step: a completed step that ran again would show.
    const needs = index >= 40 ? `, needs: [s${index - 1 - Math.floor(random() * 40)}]` : '';
    return `  - { id: s${index}, agent: shell${needs}, run: 'echo "s${index} $(pwd)" >> ${starts}' }`;
  });
  const plan = planFile(`name: thousand-steps\nconcurrency: 12\nsteps:\n${steps.join('\n')}\n`);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const coordinator = cluster.startCoordinator(['run', plan, '--yes', '--no-review', '--json'], repo);
  for (const threshold of killAt) {
    await waitFor(
      () => markerLines(starts).length >= threshold || coordinator.child.exitCode !== null,
      `${threshold} attempts to start`,
      1_800_000,
    );
    const slot = Math.floor(random() * workers.length);
    const victim = workers[slot];
    assert.ok(victim);
    victim.process.child.kill('SIGKILL');
    await victim.process.result;
    killed.push(victim);
    workers[slot] = await start(slot);
  }
  const result = await coordinator.result;
  assert.equal(result.code, 0, result.stderr);
  const run = runJson.parse(JSON.parse(result.stdout));
  assert.equal(run.status, 'succeeded');
  assert.equal(run.steps.filter((step) => step.status === 'succeeded').length, stepCount);

  const attempts = new Map<string, string[]>();
  for (const line of markerLines(starts)) {
    const [id = '', where = ''] = line.split(' ');
    attempts.set(id, [...(attempts.get(id) ?? []), where]);
  }
  assert.equal(attempts.size, stepCount, 'every step ran');
  const onKilled = (where: string) => killed.some((worker) => where.startsWith(worker.directory));
  let repeats = 0;
  for (const [id, where] of attempts) {
    // Every execution but the last was on a worker that was killed while it ran it.
    for (const earlier of where.slice(0, -1)) {
      repeats += 1;
      assert.ok(onKilled(earlier), `${id} repeated after running on a live worker: ${where.join(', ')}`);
    }
  }
  // A killed worker had at most its concurrency in flight.
  assert.ok(repeats <= killAt.length * 3, `${repeats} repeats for ${killAt.length} kills`);
});
