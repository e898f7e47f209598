import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StepDefinition } from '../../../src/protocol/plan-types.js';
import type { ConflictRecord } from '../../../src/workspace/conflict-records.js';
import { canResolve, filesWithMarkers, resolutionStepFor } from '../../../src/workspace/resolution-step.js';
import { tempDir } from '../../support/temp-dir.js';

const conflicted: StepDefinition = {
  id: 'api',
  label: 'api',
  agent: 'codex',
  action: 'edit',
  prompt: 'Add the users endpoint.',
  needs: ['schema'],
  retries: 2,
  backoff: { initialMs: 10, maxMs: 100, factor: 2 },
  timeoutMs: 60_000,
  review: true,
};

const record: ConflictRecord = {
  version: 1,
  stepId: 'api',
  attempt: 1,
  stepCommit: 'c'.repeat(40),
  stepBranch: 'ai-collab/r/steps/api',
  runTip: 't'.repeat(40),
  files: ['src/api.ts', 'src/other.ts'],
  context: [
    {
      path: 'src/api.ts',
      withMarkers: '<<<<<<< HEAD\nours\n||||||| base\nbase\n=======\ntheirs\n>>>>>>> c\n',
      truncated: false,
      binary: false,
    },
  ],
};

test('the resolution step: same agent, an edit in its own worktree, both sides and the task in its prompt', () => {
  const step = resolutionStepFor(conflicted, record, new Set(['api', 'schema', 'api.resolve']));
  assert.equal(step.id, 'api.resolve-2', 'a unique id');
  assert.equal(step.agent, 'codex');
  assert.equal(step.action, 'edit');
  assert.equal(step.isolate, true);
  assert.equal(step.review, true, 'reviewed like the step it resolves');
  assert.deepEqual(step.needs, ['schema']);
  assert.equal(step.target, 'src/api.ts, src/other.ts');
  assert.match(step.prompt ?? '', /Add the users endpoint\./);
  assert.match(step.prompt ?? '', /<<<<<<< HEAD\nours\n\|\|\|\|\|\|\| base/);
  assert.match(step.prompt ?? '', /1 more conflicted files are not shown/);
  assert.equal(canResolve(conflicted), true);
  assert.equal(
    canResolve({ ...conflicted, agent: 'shell', run: 'make' }),
    false,
    'a shell command cannot resolve',
  );
});

test('files still holding a conflict marker line are found; markers inside lines are not markers', () => {
  const root = tempDir();
  writeFileSync(join(root, 'left.txt'), 'a\n=======\nb\n');
  writeFileSync(join(root, 'clean.txt'), 'a = "<<<<<<< not at line start"\n========== heading underline\n');
  assert.deepEqual(filesWithMarkers(root, ['left.txt', 'clean.txt', 'deleted.txt']), ['left.txt']);
});
