import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveWorkspacePath, workspaceRoot } from '../../../../src/agents/openai/workspace-paths.js';
import { tempDir } from '../../../support/temp-dir.js';

/** A workspace inside a parent directory that also holds an "outside" directory and file. */
async function fixture() {
  const parent = tempDir('openai-paths-');
  const outside = join(parent, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const workspace = join(parent, 'ws');
  mkdirSync(join(workspace, 'src', 'lib'), { recursive: true });
  mkdirSync(join(workspace, '.git'));
  writeFileSync(join(workspace, 'src', 'index.ts'), 'export {};\n');
  symlinkSync(outside, join(workspace, 'out-dir'));
  symlinkSync(join(outside, 'secret.txt'), join(workspace, 'out-file'));
  symlinkSync(join(workspace, 'src'), join(workspace, 'src-link'));
  symlinkSync(join(parent, 'does-not-exist'), join(workspace, 'dangling'));
  return { root: await workspaceRoot(workspace), parent };
}

test('relative paths inside the workspace resolve, also through symlinks that stay inside', async () => {
  const { root } = await fixture();
  assert.deepEqual(await resolveWorkspacePath(root, 'src/index.ts', 'read'), {
    ok: true,
    absolute: join(root, 'src', 'index.ts'),
    relative: 'src/index.ts',
  });
  const viaLink = await resolveWorkspacePath(root, 'src-link/index.ts', 'write');
  assert.deepEqual(viaLink, { ok: true, absolute: join(root, 'src', 'index.ts'), relative: 'src/index.ts' });
  const fresh = await resolveWorkspacePath(root, 'new/dir/file.txt', 'write');
  assert.deepEqual(fresh, {
    ok: true,
    absolute: join(root, 'new', 'dir', 'file.txt'),
    relative: 'new/dir/file.txt',
  });
  assert.deepEqual(await resolveWorkspacePath(root, 'src/../README.md', 'write'), {
    ok: true,
    absolute: join(root, 'README.md'),
    relative: 'README.md',
  });
  assert.equal((await resolveWorkspacePath(root, '.', 'read')).ok, true);
});

test('absolute paths and .. escapes are refused', async () => {
  const { root } = await fixture();
  for (const path of [
    '/etc/passwd',
    join(root, 'src', 'index.ts'),
    '../x',
    'src/../../x',
    '..',
    'a\0b',
    '',
  ]) {
    const resolved = await resolveWorkspacePath(root, path, 'read');
    assert.equal(resolved.ok, false, `${JSON.stringify(path)} must be refused`);
  }
  const absolute = await resolveWorkspacePath(root, '/etc/passwd', 'read');
  assert.match(absolute.ok ? '' : absolute.reason, /absolute paths are not allowed/);
  const outsideRef = await resolveWorkspacePath(root, '../x', 'write');
  assert.match(outsideRef.ok ? '' : outsideRef.reason, /outside the workspace/);
});

test('symlinks that lead outside, or nowhere, are refused for reading and writing', async () => {
  const { root } = await fixture();
  for (const path of [
    'out-dir/secret.txt',
    'out-dir/new.txt',
    'out-dir',
    'out-file',
    'dangling',
    'dangling/x',
  ]) {
    for (const purpose of ['read', 'write'] as const) {
      const resolved = await resolveWorkspacePath(root, path, purpose);
      assert.equal(resolved.ok, false, `${purpose} ${path} must be refused`);
    }
  }
  const through = await resolveWorkspacePath(root, 'out-file', 'read');
  assert.match(through.ok ? '' : through.reason, /leads outside the workspace/);
});

test('.git may be read but not written, in any letter case or depth', async () => {
  const { root } = await fixture();
  assert.equal((await resolveWorkspacePath(root, '.git/config', 'read')).ok, true);
  for (const path of [
    '.git/config',
    '.git/hooks/pre-commit',
    '.GIT/config',
    'vendor/lib/.git/HEAD',
    '.git',
  ]) {
    assert.equal((await resolveWorkspacePath(root, path, 'write')).ok, false, path);
  }
  assert.equal((await resolveWorkspacePath(root, '.gitignore', 'write')).ok, true);
});
