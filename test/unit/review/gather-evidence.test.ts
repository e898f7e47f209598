import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunState, StepState } from '../../../src/engine/run-state.js';
import { presentEvidence } from '../../../src/review/evidence.js';
import { type EvidenceContext, gatherEvidence } from '../../../src/review/gather-evidence.js';
import { contentEvidence } from '../../../src/review/review-content.js';
import { needsReview } from '../../../src/review/review-stage.js';
import { tempDir } from '../../support/temp-dir.js';
import { planOf } from '../../support/test-engine.js';

function contextFor(
  stepId: string,
  steps: Parameters<typeof planOf>[0],
  stepStates: Record<string, Partial<StepState>> = {},
  extra: Partial<EvidenceContext> = {},
): EvidenceContext {
  const plan = planOf(steps);
  const step = plan.steps.find((candidate) => candidate.id === stepId);
  if (!step) throw new Error(`no step ${stepId}`);
  const state = { plan, steps: stepStates } as unknown as RunState;
  return { step, state, output: 'Done: changed add.', cwd: '/nonexistent', ...extra };
}

const patch =
  'diff --git a/add.ts b/add.ts\n--- a/add.ts\n+++ b/add.ts\n@@ -1 +1 @@\n-return a - b;\n+return a + b;';

test('with a diff: the task, the diff, the validation steps it needs, and the answer as a claim', async () => {
  const context = contextFor(
    'fix',
    [
      { id: 'lint', agent: 'shell', run: 'npm run lint' },
      { id: 'check', agent: 'claude', action: 'validate', prompt: 'check the spec' },
      { id: 'notes', agent: 'claude', action: 'read' },
      { id: 'fix', agent: 'claude', action: 'edit', target: 'add.ts', needs: ['lint', 'check', 'notes'] },
    ],
    {
      lint: { status: 'succeeded', output: '0 problems' },
      check: { status: 'succeeded', output: 'spec says: add returns the sum' },
      notes: { status: 'succeeded', output: 'irrelevant' },
    },
  );
  const evidence = await gatherEvidence(context, { patch, files: [{ path: 'add.ts' }] });
  assert.deepEqual(
    evidence.sections.map((section) => [section.role, section.title]),
    [
      ['task', 'TASK'],
      ['work', 'CHANGES: unified diff of 1 file(s): add.ts'],
      ['claim', "THE AGENT'S ANSWER"],
      ['work', 'VALIDATION: step "lint" ran `npm run lint`: succeeded'],
      ['work', 'VALIDATION: step "check" validated: succeeded'],
    ],
  );
  assert.match(
    evidence.sections[0]?.text ?? '',
    /step "fix", agent claude, action edit, target add.ts\ndo fix/,
  );
  const shown = presentEvidence(evidence).text;
  assert.match(shown, /=== THE AGENT'S ANSWER \(a claim by the agent, not evidence: do not quote it\) ===/);
  assert.match(shown, /\+return a \+ b;/);
});

test('a shell step under review: its command output is the work', async () => {
  const context = contextFor(
    'migrate',
    [{ id: 'migrate', agent: 'shell', run: './migrate.sh', review: true }],
    {},
    {
      output: 'migrated 3 tables',
    },
  );
  const evidence = await gatherEvidence(context, undefined);
  assert.equal(evidence.sections[1]?.title, 'OUTPUT of the command `./migrate.sh`');
  assert.equal(evidence.sections[1]?.text, 'migrated 3 tables');
});

test('without a diff: the files the step changed are read from its directory, never through a link outside', async () => {
  const cwd = tempDir('review-evidence');
  const outside = tempDir('review-secret');
  writeFileSync(join(outside, 'secret.txt'), 'TOKEN=hunter2');
  mkdirSync(join(cwd, 'src'));
  writeFileSync(join(cwd, 'src', 'add.ts'), 'export const add = (a, b) => a + b;\n');
  symlinkSync(join(outside, 'secret.txt'), join(cwd, 'leak.txt'));
  const context = contextFor(
    'fix',
    [{ id: 'fix', agent: 'claude', action: 'edit' }],
    {},
    {
      cwd,
      filesChanged: ['src/add.ts', 'leak.txt', '../escape.txt', 'gone.ts'],
    },
  );
  const evidence = await gatherEvidence(context, undefined);
  const text = presentEvidence(evidence).text;
  assert.match(text, /=== FILE src\/add.ts after the step ===\nexport const add/);
  assert.match(text, /=== FILE leak.txt after the step ===\n\(a link to outside the workspace: not shown\)/);
  assert.doesNotMatch(text, /hunter2/);
  assert.doesNotMatch(text, /FILE \.\.\/escape/);
  assert.match(text, /FILE gone.ts after the step ===\n\(the file does not exist: deleted\)/);
  assert.equal(evidence.sections.at(-1)?.role, 'claim');
});

test('which steps are reviewed', () => {
  const [write, edit, execute, analyze, bare, shell, shellReviewed, optOut] = planOf([
    { id: 'w', agent: 'claude', action: 'write' },
    { id: 'e', agent: 'claude', action: 'edit' },
    { id: 'x', agent: 'codex', action: 'execute' },
    { id: 'a', agent: 'claude', action: 'analyze' },
    { id: 'b', agent: 'claude' },
    { id: 's', agent: 'shell', run: 'npm test', action: 'execute' },
    { id: 'sr', agent: 'shell', run: 'make', review: true },
    { id: 'o', agent: 'claude', action: 'edit', review: false },
  ]).steps;
  const reviewed = [write, edit, execute, analyze, bare, shell, shellReviewed, optOut].map((step) =>
    step ? needsReview(step) : undefined,
  );
  assert.deepEqual(reviewed, [true, true, true, false, false, false, true, false]);
});

test('ai-collab review: a diff is reviewed as changes, anything else as code', () => {
  assert.equal(contentEvidence({ content: patch, source: 'fix.patch' }).kind, 'diff');
  const code = contentEvidence({ content: 'const x = 1;\n', source: 'x.ts' });
  assert.equal(code.kind, 'code');
  assert.equal(code.evidence.sections[1]?.title, 'FILE x.ts');
});

test("a step's own check: the reviewers see what it printed, as work", async () => {
  const context = contextFor(
    'fix',
    [{ id: 'fix', agent: 'claude', action: 'edit', target: 'add.ts', check: 'npm test -- add' }],
    { fix: { status: 'reviewing', stageDetail: { check: { exitCode: '0', output: '12 tests passed' } } } },
  );
  const evidence = await gatherEvidence(context, { patch, files: [{ path: 'add.ts' }] });
  const check = evidence.sections.find((section) => section.title.startsWith('CHECK'));
  assert.equal(check?.title, "CHECK: the step's check `npm test -- add` exited with code 0");
  assert.equal(check?.role, 'work');
  assert.equal(check?.text, '12 tests passed');
});
