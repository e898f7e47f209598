import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import type { StepCommandSettings } from '../../src/agents/shell/step-command.js';
import type { SetupFinishedData } from '../../src/engine/events.js';
import { systemClock } from '../../src/support/clock.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { tempDir } from '../support/temp-dir.js';
import { fileOnBranch, gitRepo, planOf, runPlan, shellStep, workspaceEngine } from './workspace-support.js';

// `workspace.setup` and port blocks with real processes in real worktrees: setup runs in each fresh
// worktree before the step, its time is recorded apart, and steps running at once never share ports.
const commands: StepCommandSettings = {
  clock: systemClock,
  sourceEnvironment: process.env,
  maxLogBytes: 1_000_000,
  killGraceMs: 500,
};

function setupEvents(setup: ReturnType<typeof workspaceEngine>, runId: string): SetupFinishedData[] {
  return [...setup.store.readEvents(runId)]
    .filter((event) => event.type === 'step.setup-finished')
    .map((event) => event.data as SetupFinishedData);
}

test('setup runs in each fresh worktree first, and three steps running at once get three distinct port blocks', {
  timeout: 60_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n', '.gitignore': 'installed.txt\n' });
  const arrivals = tempDir('ai-collab-arrivals-');
  mkdirSync(arrivals, { recursive: true });
  const setup = workspaceEngine(repo, {
    hooks: {
      setup: { settings: commands, commands: ['echo "installed for $AI_COLLAB_PORT_BASE" > installed.txt'] },
      ports: { base: 31_000, size: 10 },
    },
  });
  // Each step waits until all three are inside: their port blocks are held at the same time.
  const step = (id: string) =>
    shellStep(
      id,
      `cp installed.txt seen-${id}.txt && echo "$AI_COLLAB_PORT_BASE $AI_COLLAB_PORT_COUNT" > port-${id}.txt && touch ${arrivals}/${id} && while [ "$(ls ${arrivals} | wc -l)" -lt 3 ]; do sleep 0.05; done`,
      { isolate: true, action: 'write' },
    );
  try {
    const { runId, state } = await runPlan(setup, repo, planOf([step('a'), step('b'), step('c')], 3));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
    const branch = runBranchName(runId);
    const ports = ['a', 'b', 'c'].map((id) => fileOnBranch(repo, branch, `port-${id}.txt`)?.trim() ?? '');
    assert.equal(new Set(ports).size, 3, `distinct blocks: ${ports.join(' | ')}`);
    for (const port of ports) assert.match(port, /^310[0-9]0 10$/);
    const events = setupEvents(setup, runId);
    assert.equal(events.length, 3, 'setup ran once per fresh worktree');
    for (const id of ['a', 'b', 'c']) {
      const event = events.find((item) => item.stepId === id);
      assert.equal(event?.ok, true);
      assert.deepEqual(event?.commands, ['echo "installed for $AI_COLLAB_PORT_BASE" > installed.txt']);
      assert.ok((event?.durationMs ?? -1) >= 0);
      // Setup ran before the step, with the step's own port block.
      assert.equal(fileOnBranch(repo, branch, `seen-${id}.txt`), `installed for ${event?.portBase}\n`);
      assert.equal(state.steps[id]?.setupMs, event?.durationMs);
    }
    assert.equal(
      fileOnBranch(repo, branch, 'installed.txt'),
      undefined,
      'ignored setup output is not committed',
    );
  } finally {
    await setup.close();
  }
});

test("a failing setup fails the step with the command's output, and its agent never runs", {
  timeout: 60_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const setup = workspaceEngine(repo, {
    hooks: { setup: { settings: commands, commands: ['echo "registry unreachable" >&2; exit 4'] } },
  });
  try {
    const { runId, state } = await runPlan(
      setup,
      repo,
      planOf([shellStep('build', 'echo ran > ran.txt', { isolate: true })]),
    );
    assert.equal(state.steps.build?.status, 'failed');
    assert.equal(state.steps.build?.error?.code, 'SETUP_FAILED');
    assert.match(state.steps.build?.error?.message ?? '', /exited with code 4/);
    assert.match(state.steps.build?.error?.outputTail ?? '', /registry unreachable/);
    const [event] = setupEvents(setup, runId);
    assert.equal(event?.ok, false);
    assert.equal(fileOnBranch(repo, runBranchName(runId), 'ran.txt'), undefined);
  } finally {
    await setup.close();
  }
});
