import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseServerInfo, readServerInfo } from '../../src/supervisor/server-info.js';

const token = 'f'.repeat(64);

function stateDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'server-info-')), '.ai-collab');
  mkdirSync(dir);
  return dir;
}

test('reads a 0600 server.json', () => {
  const dir = stateDir();
  writeFileSync(
    join(dir, 'server.json'),
    JSON.stringify({ url: 'http://127.0.0.1:4100', port: 4100, pid: 12, token }),
    {
      mode: 0o600,
    },
  );
  assert.deepEqual(readServerInfo(dir), { url: 'http://127.0.0.1:4100', port: 4100, pid: 12, token });
});

test('no file, no server', () => {
  assert.equal(readServerInfo(stateDir()), undefined);
});

test('refuses a server.json others can read (e.g. one committed to a cloned repository)', () => {
  const dir = stateDir();
  const path = join(dir, 'server.json');
  writeFileSync(path, JSON.stringify({ url: 'http://127.0.0.1:4100', port: 4100, pid: 12, token }));
  chmodSync(path, 0o644);
  assert.throws(() => readServerInfo(dir), { code: 'SERVER_FILE_UNSAFE', message: /mode 644/ });
});

test('refuses a symlinked server.json', () => {
  const dir = stateDir();
  const target = join(dir, 'elsewhere.json');
  writeFileSync(target, '{}', { mode: 0o600 });
  symlinkSync(target, join(dir, 'server.json'));
  assert.throws(() => readServerInfo(dir), { code: 'SERVER_FILE_UNSAFE', message: /not a regular file/ });
});

test('refuses a URL that is not this machine’s loopback, so no request or token leaves the machine', () => {
  for (const url of [
    'http://evil.example:4100',
    'https://127.0.0.1:4100',
    'http://10.0.0.1:4100',
    'http://127.0.0.1:4101',
  ]) {
    assert.throws(
      () => parseServerInfo({ url, port: 4100, pid: 1, token }),
      { code: 'SERVER_FILE_UNSAFE' },
      url,
    );
  }
  assert.throws(() => parseServerInfo({ url: 'http://127.0.0.1:4100', port: 4100, pid: 1, token: 'short' }), {
    code: 'SERVER_FILE_UNSAFE',
  });
  assert.equal(
    parseServerInfo({ url: 'http://localhost:4100/', port: 4100, pid: 1, token }).url,
    'http://localhost:4100',
  );
});
