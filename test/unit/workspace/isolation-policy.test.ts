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
  assert.equal(ownIsolation(step('r', { action: 'read' })), 'shared');
  assert.equal(ownIsolation(step('a', { action: 'analyze' })), 'shared');
  assert.equal(ownIsolation(step('v', { action: 'validate' })), 'shared');
  assert.equal(ownIsolation(step('sh', { agent: 'shell', run: 'npm test' })), 'shared');
  assert.equal(ownIsolation(step('sh-w', { agent: 'shell', run: 'gen', action: 'write' })), 'worktree');
  assert.equal(ownIsolation(step('sh-i', { agent: 'shell', run: 'fmt', isolate: true })), 'worktree');
  assert.equal(
    ownIsolation(step('off', { action: 'edit', isolate: false })),
    'shared',
    'isolate: false gives up a worktree of its own, not the run branch',
  );
});

test('with a code-changing step, every other step shares the integration worktree, before or after the change', () => {
  const modes = isolationModes({
    name: 'p',
    format: 'native',
    steps: [
      step('install', { agent: 'shell', run: 'npm ci' }),
      step('survey', { action: 'read', needs: ['install'] }),
      step('edit', { action: 'edit', needs: ['survey'] }),
      step('build', { agent: 'shell', run: 'npm run build', needs: ['edit'] }),
      step('review', { action: 'analyze', needs: ['build'] }),
      step('fast', { agent: 'shell', run: 'echo x > fast.txt' }),
    ],
  });
  assert.deepEqual(Object.fromEntries(modes), {
    install: 'integration',
    survey: 'integration',
    edit: 'worktree',
    build: 'integration',
    review: 'integration',
    fast: 'integration',
  });
});

test('without a code-changing step every step runs in place', () => {
  const modes = isolationModes({
    name: 'p',
    format: 'native',
    steps: [step('a', { agent: 'shell', run: 'make' }), step('r', { action: 'read', needs: ['a'] })],
  });
  assert.deepEqual(Object.fromEntries(modes), { a: 'in-place', r: 'in-place' });
});

test('a plan of shell steps changes no code; one edit step is enough to need a branch', () => {
  const shell = step('b', { agent: 'shell', run: 'make' });
  assert.equal(planChangesCode({ name: 'p', format: 'native', steps: [shell] }), false);
  assert.equal(
    planChangesCode({ name: 'p', format: 'native', steps: [shell, step('e', { action: 'edit' })] }),
    true,
  );
});
