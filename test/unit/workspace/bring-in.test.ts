import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bringIn, matchEntries, removeBroughtIn } from '../../../src/workspace/bring-in.js';
import { tempDir } from '../../support/temp-dir.js';

function tree(files: Record<string, string>): string {
  const root = tempDir('ai-collab-bring-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

test('patterns match one path segment at a time; .git and .ai-collab are never matched', () => {
  const root = tree({
    '.env': '1',
    '.env.local': '2',
    '.envrc': '3',
    'env.txt': '4',
    'packages/a/node_modules/x.js': '5',
    'packages/b/node_modules/y.js': '6',
    '.git/config': '7',
  });
  assert.deepEqual(matchEntries(root, '.env*').sort(), ['.env', '.env.local', '.envrc']);
  assert.deepEqual(matchEntries(root, 'packages/*/node_modules').sort(), [
    'packages/a/node_modules',
    'packages/b/node_modules',
  ]);
  assert.deepEqual(
    matchEntries(root, '*'),
    ['env.txt', 'packages'],
    'a leading * skips dot entries, as a shell does',
  );
  assert.deepEqual(matchEntries(root, '.git'), []);
  assert.deepEqual(matchEntries(root, '../etc'), []);
});

test('entries are copied or linked only where the worktree has nothing; removal never follows a link', () => {
  const source = tree({
    '.env': 'SECRET=1\n',
    '.env.example': 'tracked\n',
    'node_modules/pkg/index.js': 'x',
  });
  const worktree = tree({ '.env.example': 'tracked in git\n' });
  const brought = bringIn(source, worktree, { copy: ['.env*'], link: ['node_modules'] });
  assert.deepEqual(brought.sort(), ['.env', 'node_modules']);
  assert.equal(readFileSync(join(worktree, '.env'), 'utf8'), 'SECRET=1\n');
  assert.equal(
    readFileSync(join(worktree, '.env.example'), 'utf8'),
    'tracked in git\n',
    'a tracked file is never replaced',
  );
  assert.ok(lstatSync(join(worktree, 'node_modules')).isSymbolicLink());
  removeBroughtIn(worktree, brought);
  assert.equal(existsSync(join(worktree, 'node_modules')), false);
  assert.ok(existsSync(join(source, 'node_modules', 'pkg', 'index.js')), "the user's node_modules is intact");
});
