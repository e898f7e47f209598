import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listWorktrees } from '../../../src/workspace/discard-run.js';
import { encodePrepared, readPrepared } from '../../../src/workspace/prepared-detail.js';

test('the recorded workspace detail reads back as it was written', () => {
  const detail = {
    isolation: 'worktree' as const,
    worktree: '/repo/.ai-collab/worktrees/r/steps/a',
    gitDir: '/repo/.git/worktrees/a',
    branch: 'ai-collab/r/steps/a',
    startCommit: 'abc',
    broughtIn: ['.env', 'node_modules'],
  };
  const encoded = encodePrepared(detail);
  assert.equal(encoded.broughtIn, '.env\nnode_modules');
  assert.deepEqual(readPrepared(encoded), detail);
  assert.deepEqual(readPrepared({ isolation: 'in-place' }), { isolation: 'in-place', broughtIn: [] });
  assert.equal(readPrepared({ branch: 'x' }), undefined, 'detail of another hook is not ours');
  assert.equal(readPrepared(undefined), undefined);
});

test('worktree list --porcelain is read into paths and branches', () => {
  const listed = listWorktrees(
    'worktree /repo\nHEAD 1111\nbranch refs/heads/main\n\nworktree /repo/.ai-collab/worktrees/r/steps/a\nHEAD 2222\ndetached\n\n',
  );
  assert.deepEqual(listed, [
    { path: '/repo', branch: 'refs/heads/main' },
    { path: '/repo/.ai-collab/worktrees/r/steps/a' },
  ]);
});
