import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfinedFileSystem, pathInside, sliceLines } from '../../../../src/agents/acp/acp-file-system.js';
import { rpcErrorOf } from '../../../../src/agents/acp/classify-acp-outcome.js';
import { tempDir } from '../../../support/temp-dir.js';

function layout() {
  const root = tempDir();
  const cwd = join(root, 'ws');
  mkdirSync(join(cwd, 'src'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(cwd, 'src', 'a.txt'), 'one\ntwo\nthree\nfour\n');
  writeFileSync(join(root, 'outside', 'secret.txt'), 'secret');
  symlinkSync(join(root, 'outside'), join(cwd, 'escape'));
  symlinkSync(join(root, 'outside', 'secret.txt'), join(cwd, 'secret-link.txt'));
  return { root, cwd, files: new ConfinedFileSystem(cwd) };
}

function errorCode(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    return rpcErrorOf(error)?.code;
  }
  return undefined;
}

test('reads inside the directory, with ACP line (1-based) and limit', () => {
  const { cwd, files } = layout();
  assert.equal(
    files.read({ sessionId: 's', path: join(cwd, 'src', 'a.txt') }).content,
    'one\ntwo\nthree\nfour\n',
  );
  assert.equal(
    files.read({ sessionId: 's', path: join(cwd, 'src', 'a.txt'), line: 2, limit: 2 }).content,
    'two\nthree',
  );
  assert.equal(sliceLines('a\nb\nc', 3, undefined), 'c');
});

test('a missing file is "resource not found" (-32002), as agents expect', () => {
  const { cwd, files } = layout();
  assert.equal(
    errorCode(() => files.read({ sessionId: 's', path: join(cwd, 'new.txt') })),
    -32002,
  );
});

test('nothing outside the directory is read or written: absolute paths, .., symlinks, relative paths', () => {
  const { root, cwd, files } = layout();
  const outside = [
    join(root, 'outside', 'secret.txt'),
    join(cwd, '..', 'outside', 'secret.txt'),
    join(cwd, 'escape', 'secret.txt'),
    join(cwd, 'secret-link.txt'),
    'src/a.txt',
  ];
  for (const path of outside) {
    assert.equal(
      errorCode(() => files.read({ sessionId: 's', path })),
      -32602,
      path,
    );
    assert.equal(
      errorCode(() => files.write({ sessionId: 's', path, content: 'x' })),
      -32602,
      path,
    );
  }
  assert.equal(readFileSync(join(root, 'outside', 'secret.txt'), 'utf8'), 'secret');
  assert.equal(
    pathInside(cwd, join(cwd, 'escape', 'new-dir', 'x.txt')),
    undefined,
    'a new path under a symlink out',
  );
});

test('writes create parent directories inside the directory and are remembered', () => {
  const { cwd, files } = layout();
  const path = join(cwd, 'deep', 'er', 'b.txt');
  files.write({ sessionId: 's', path, content: 'written\n' });
  assert.equal(readFileSync(path, 'utf8'), 'written\n');
  assert.deepEqual(files.written(), [path]);
  assert.ok(existsSync(join(cwd, 'deep')));
});
