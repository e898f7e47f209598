import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildAccessPolicy,
  checkAccess,
  type RouteAccess,
} from '../../../src/server/security/request-policy.js';

const token = 'a'.repeat(64);
const policy = buildAccessPolicy(4242, [], ['vscode-webview://abc'], token);
const read: RouteAccess = { access: 'token', stateChanging: false, upgrade: false };
const write: RouteAccess = { access: 'token', stateChanging: true, upgrade: false };
const upgrade: RouteAccess = { access: 'token', stateChanging: false, upgrade: true };
const url = (path = '/api/runs') => new URL(path, 'http://x');

function code(headers: Record<string, string>, route: RouteAccess, path?: string): string {
  return checkAccess(policy, headers, url(path), route)?.code ?? 'OK';
}

test('Host must be one of the loopback names with the port', () => {
  const auth = { authorization: `Bearer ${token}` };
  for (const host of ['127.0.0.1:4242', 'localhost:4242', '[::1]:4242', 'LOCALHOST:4242']) {
    assert.equal(code({ host, ...auth }, read), 'OK', host);
  }
  for (const host of [
    '127.0.0.1',
    '127.0.0.1:80',
    'evil.example:4242',
    '127.0.0.1.nip.io:4242',
    '0.0.0.0:4242',
    '',
  ]) {
    assert.equal(code({ host, ...auth }, read), 'HOST_NOT_ALLOWED', host);
  }
  assert.equal(code(auth, read), 'HOST_NOT_ALLOWED');
});

test('Origin: foreign and null are refused everywhere; missing is refused on writes and upgrades only', () => {
  const base = { host: '127.0.0.1:4242', authorization: `Bearer ${token}` };
  assert.equal(code({ ...base, origin: 'https://evil.example' }, read), 'ORIGIN_NOT_ALLOWED');
  assert.equal(code({ ...base, origin: 'null' }, read), 'ORIGIN_NOT_ALLOWED');
  assert.equal(code({ ...base, origin: 'http://127.0.0.1:4243' }, write), 'ORIGIN_NOT_ALLOWED');
  assert.equal(code(base, read), 'OK');
  assert.equal(code(base, write), 'ORIGIN_REQUIRED');
  assert.equal(code(base, upgrade), 'ORIGIN_REQUIRED');
  assert.equal(code({ ...base, origin: 'http://localhost:4242' }, write), 'OK');
  assert.equal(code({ ...base, origin: 'vscode-webview://abc' }, write), 'OK', 'configured extra origin');
});

test('the token: header on requests, header or subprotocol on upgrades, never the URL', () => {
  const base = { host: '127.0.0.1:4242', origin: 'http://127.0.0.1:4242' };
  assert.equal(code(base, read), 'TOKEN_REQUIRED');
  assert.equal(code({ ...base, authorization: `Bearer ${token}x` }, read), 'TOKEN_INVALID');
  assert.equal(code({ ...base, authorization: `Basic ${token}` }, read), 'TOKEN_INVALID');
  assert.equal(
    code({ ...base, 'sec-websocket-protocol': `ai-collab.v1, ai-collab.token.${token}` }, read),
    'TOKEN_REQUIRED',
  );
  assert.equal(
    code({ ...base, 'sec-websocket-protocol': `ai-collab.v1, ai-collab.token.${token}` }, upgrade),
    'OK',
  );
  assert.equal(
    code(
      { ...base, authorization: `Bearer ${token}`, 'sec-websocket-protocol': 'ai-collab.token.wrong' },
      upgrade,
    ),
    'TOKEN_INVALID',
  );
  for (const name of ['token', 'access_token', 'auth', 'apiKey', 'code']) {
    assert.equal(
      code({ ...base, authorization: `Bearer ${token}` }, read, `/api/runs?${name}=${token}`),
      'TOKEN_IN_URL',
      name,
    );
  }
});

test('public and login routes skip the token but not Host or Origin', () => {
  const publicRoute: RouteAccess = { access: 'public', stateChanging: false, upgrade: false };
  const login: RouteAccess = { access: 'login', stateChanging: true, upgrade: false };
  assert.equal(code({ host: '127.0.0.1:4242' }, publicRoute, '/'), 'OK');
  assert.equal(code({ host: 'evil.example:4242' }, publicRoute, '/'), 'HOST_NOT_ALLOWED');
  assert.equal(code({ host: '127.0.0.1:4242' }, login), 'ORIGIN_REQUIRED');
  assert.equal(code({ host: '127.0.0.1:4242', origin: 'http://127.0.0.1:4242' }, login), 'OK');
});
