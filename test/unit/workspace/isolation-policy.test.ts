import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepDefinition } from '../../../src/protocol/plan-types.js';
import { isolationModes, ownIsolation, planChangesCode } from '../../../src/workspace/isolation-policy.js';

function step(id: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    label: id,
    agent: 'claude',
    needs: [],
    retries: 0,
    backoff: { initialMs: 1, maxMs: 1, factor: 1 },
    ...extra,
  };
}

test('code-changing agent steps get a worktree; looking steps and shell steps do not ask for one', () => {
  assert.equal(ownIsolation(step('w', { action: 'write' })), 'worktree');
  assert.equal(ownIsolation(step('e', { action: 'edit' })), 'worktree');
  assert.equal(ownIsolation(step('x', { action: 'execute' })), 'worktree');
  assert.equal(ownIsolation(step('d', { action: 'delegate' })), 'worktree');
  assert.equal(ownIsolation(step('none')), 'worktree', 'an agent step that does not say may edit files');
  assert.equal(ownIsolation(step('r', { action: 'read' })), 'looks');
  assert.equal(ownIsolation(step('a', { action: 'analyze' })), 'looks');
  assert.equal(ownIsolation(step('v', { action: 'validate' })), 'looks');
  assert.equal(ownIsolation(step('sh', { agent: 'shell', run: 'npm test' })), 'looks');
  assert.equal(ownIsolation(step('sh-w', { agent: 'shell', run: 'gen', action: 'write' })), 'worktree');
  assert.equal(ownIsolation(step('sh-i', { agent: 'shell', run: 'fmt', isolate: true })), 'worktree');
  assert.equal(
    ownIsolation(step('off', { action: 'edit', isolate: false })),
    'in-place',
    'isolate: false is obeyed',
  );
});

test('looking steps after a code change see the run branch (a view); before any change they run in place', () => {
  const modes = isolationModes({
    name: 'p',
    format: 'native',
    steps: [
      step('install', { agent: 'shell', run: 'npm ci' }),
      step('survey', { action: 'read', needs: ['install'] }),
      step('edit', { action: 'edit', needs: ['survey'] }),
      step('build', { agent: 'shell', run: 'npm run build', needs: ['edit'] }),
      step('test', { agent: 'shell', run: 'npm test', needs: ['build'] }),
      step('review', { action: 'analyze', needs: ['test'] }),
      step('lint', { agent: 'shell', run: 'npm run lint', needs: ['install'] }),
    ],
  });
  assert.deepEqual(Object.fromEntries(modes), {
    install: 'in-place',
    survey: 'in-place',
    edit: 'worktree',
    build: 'view',
    test: 'view',
    review: 'view',
    lint: 'in-place',
  });
});

test('a plan of shell steps changes no code; one edit step is enough to need a branch', () => {
  const shell = step('b', { agent: 'shell', run: 'make' });
  assert.equal(planChangesCode({ name: 'p', format: 'native', steps: [shell] }), false);
  assert.equal(
    planChangesCode({ name: 'p', format: 'native', steps: [shell, step('e', { action: 'edit' })] }),
    true,
  );
});

test('deep chains are decided without recursion', () => {
  const steps = [step('s0', { action: 'edit' })];
  for (let index = 1; index < 50_000; index++) {
    steps.push(step(`s${index}`, { agent: 'shell', run: 'true', needs: [`s${index - 1}`] }));
  }
  const modes = isolationModes({ name: 'p', format: 'native', steps });
  assert.equal(modes.get('s49999'), 'view');
});
