import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventDecoder, isKnownEvent } from '../../src/engine/decode-events.js';
import type { RunEvent, SetupFinishedData } from '../../src/engine/events.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  clusterWith,
  markerLines,
  planFile,
  redisMissing,
  reportedRun,
  succeededRun,
} from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

// `workspace.setup` in distributed mode: the agent works in the worker's checkout, so setup runs there
// (with the attempt's port block), before the step, and the coordinator records what it did.
const skip = await redisMissing();

/** The committed log of the repository's run (its only one), read as another process would. */
function runLog(repo: string): RunEvent[] {
  const store = new SqliteStore({ path: join(repo, '.ai-collab', 'state.db'), clock: systemClock });
  try {
    const runId = store.listRuns({})[0]?.runId;
    if (runId === undefined) return [];
    return [...new EventDecoder(silentLogger).decode(store.readEvents(runId), runId)].filter(isKnownEvent);
  } finally {
    store.close();
  }
}

function setupEvents(log: readonly RunEvent[]): SetupFinishedData[] {
  return log.flatMap((event) => (event.type === 'step.setup-finished' ? [event.data] : []));
}

/** Every file named `name` under `directory` (the coordinator's state dir holds its worktrees). */
function filesNamed(directory: string, name: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter(
    (path) => path === name || path.endsWith(`/${name}`),
  );
}

test("setup runs in the worker's checkout before the step, with its port block; the coordinator records it, before the agent's work, and runs none", {
  skip,
  timeout: 240_000,
}, async () => {
  const { cluster } = await clusterWith(['builder']);
  const repo = gitRepo({ 'README.md': 'project\n', '.gitignore': '.setup-marker\n' });
  const markers = tempDir('ai-collab-markers-');
  const started = join(markers, 'started');
  const release = join(markers, 'release');
  const plan = planFile(`name: set-up-on-the-worker
workspace:
  setup: 'echo "ready $AI_COLLAB_PORT_BASE" > .setup-marker'
steps:
  - { id: build, agent: shell, isolate: true, action: write, run: 'test -f .setup-marker && cp .setup-marker seen.txt && pwd > where.txt && echo go >> ${started} && while [ ! -f ${release} ]; do sleep 0.1; done' }
`);
  const coordinator = cluster.startRunPlan(plan, repo);
  await waitFor(() => markerLines(started).length === 1, 'the step to start on the worker', 120_000);
  // As in local mode, the log has the setup while the agent still works: it is not held back for the result.
  await waitFor(
    () => setupEvents(runLog(repo)).length === 1,
    'the setup to be recorded while the step runs',
    60_000,
  );
  writeFileSync(release, '');
  const run = succeededRun(await coordinator.result);
  const log = runLog(repo);
  assert.deepEqual(
    log
      .filter((event) => 'stepId' in event.data && event.data.stepId === 'build')
      .map((event) => event.type)
      .slice(0, 4),
    ['step.started', 'step.workspace-prepared', 'step.worker-assigned', 'step.setup-finished'],
    'prepared, taken by a worker, set up: then the agent',
  );
  const branch = runBranchName(run.runId);
  const [event, ...more] = setupEvents(log);
  assert.equal(more.length, 0, 'setup ran once');
  assert.equal(event?.stepId, 'build');
  assert.equal(event?.ok, true);
  assert.deepEqual(event?.commands, ['echo "ready $AI_COLLAB_PORT_BASE" > .setup-marker']);
  assert.ok((event?.durationMs ?? -1) >= 0);
  // Setup ran where the step ran (the worker's checkout), with the attempt's port block.
  assert.equal(fileOnBranch(repo, branch, 'seen.txt'), `ready ${event?.portBase}\n`);
  assert.ok(fileOnBranch(repo, branch, 'where.txt')?.includes('ai-collab-worker-builder-'));
  assert.equal(fileOnBranch(repo, branch, '.setup-marker'), undefined, 'ignored setup output is not merged');
  assert.deepEqual(
    filesNamed(join(repo, '.ai-collab'), '.setup-marker'),
    [],
    'nothing set up on the coordinator',
  );
  assert.equal(existsSync(join(repo, '.setup-marker')), false);
});

test("a failing setup on the worker fails the step with the command's output, and the step never runs", {
  skip,
  timeout: 240_000,
}, async () => {
  const { cluster } = await clusterWith(['broken']);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: setup-fails-on-the-worker
workspace:
  setup: 'echo "registry unreachable" >&2; exit 4'
steps:
  - { id: build, agent: shell, isolate: true, action: write, retries: 0, run: 'echo ran > ran.txt' }
`);
  const result = await cluster.runPlan(plan, repo);
  assert.notEqual(result.code, 0);
  const run = reportedRun(result);
  assert.equal(run.status, 'failed');
  const events = setupEvents(runLog(repo));
  assert.equal(events.length, 1);
  assert.equal(events[0]?.ok, false);
  assert.equal(events[0]?.error?.code, 'SETUP_FAILED');
  assert.match(events[0]?.error?.message ?? '', /exited with code 4/);
  assert.match(events[0]?.error?.outputTail ?? '', /registry unreachable/);
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'ran.txt'), undefined, 'the step never ran');
});
