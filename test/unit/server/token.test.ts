import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createToken, LoginCodes, tokensEqual } from '../../../src/server/security/token.js';

test('tokens are 256 bits of hex, different every time', () => {
  const tokens = new Set(Array.from({ length: 1_000 }, createToken));
  assert.equal(tokens.size, 1_000);
  for (const token of tokens) assert.match(token, /^[0-9a-f]{64}$/);
});

test('tokensEqual compares whole values, whatever their lengths', () => {
  const token = createToken();
  assert.ok(tokensEqual(token, token));
  assert.ok(!tokensEqual(token.slice(0, 63), token));
  assert.ok(!tokensEqual(`${token}0`, token));
  assert.ok(!tokensEqual('', token));
  assert.ok(!tokensEqual(token.toUpperCase(), token));
});

test('a login code works once and not after it expires', () => {
  let now = 1_000;
  const codes = new LoginCodes(60_000, () => now);
  const first = codes.mint();
  assert.equal(first.expiresAt, 61_000);
  assert.ok(codes.consume(first.code));
  assert.ok(!codes.consume(first.code), 'used up');
  const second = codes.mint();
  now += 60_001;
  assert.ok(!codes.consume(second.code), 'expired');
  assert.deepEqual(codes.outstanding(), []);
});

test('only a handful of codes are outstanding at once', () => {
  const codes = new LoginCodes(60_000, () => 0);
  const minted = Array.from({ length: 20 }, () => codes.mint().code);
  assert.equal(codes.outstanding().length, 8);
  assert.ok(!codes.consume(minted[0] ?? ''));
  assert.ok(codes.consume(minted[19] ?? ''));
});
