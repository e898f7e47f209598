import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Route, Router } from '../../../src/server/http/router.js';

const route = (method: 'GET' | 'POST', path: string): Route => ({
  method,
  path,
  access: 'token',
  handle: () => undefined,
});
const router = new Router([
  route('GET', '/api/runs/:runId'),
  route('POST', '/api/runs/:runId/approve'),
  route('GET', '/api/runs/:runId/steps/:stepId'),
  route('GET', '/assets/*'),
]);

test('matches parameters, decoded, and a trailing wildcard', () => {
  const match = router.match('GET', '/api/runs/r%201/steps/build%3Aall');
  assert.equal(match.kind, 'found');
  if (match.kind === 'found') assert.deepEqual(match.params, { runId: 'r 1', stepId: 'build:all' });
  const asset = router.match('GET', '/assets/index-abc.js');
  assert.ok(asset.kind === 'found' && asset.params['*'] === 'index-abc.js');
});

test('refuses parameters that decode to a slash or nothing, and bad escapes', () => {
  assert.equal(router.match('GET', '/api/runs/a%2Fb').kind, 'not-found');
  assert.equal(router.match('GET', '/api/runs/').kind, 'not-found');
  assert.equal(router.match('GET', '/api/runs/%E0%A4%A').kind, 'not-found');
  assert.equal(router.match('GET', '/api/runs/a/extra/parts').kind, 'not-found');
});

test('tells a wrong method from a missing path', () => {
  const match = router.match('POST', '/api/runs/x');
  assert.deepEqual(match, { kind: 'method-not-allowed', allowed: ['GET'] });
  assert.equal(router.match('DELETE', '/nothing').kind, 'not-found');
});
