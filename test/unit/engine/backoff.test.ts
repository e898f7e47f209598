import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, backoffDelay } from '../../../src/engine/backoff.js';

const policy = { initialMs: 200, maxMs: 10_000, factor: 2 };

test('the backoff ceiling grows by the factor and stops at the maximum', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => backoffCeiling(policy, retry)),
    [200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000],
  );
});

test('full jitter draws uniformly between zero and the ceiling', () => {
  assert.equal(
    backoffDelay(policy, 3, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(policy, 3, () => 0.5),
    400,
  );
  assert.equal(
    backoffDelay(policy, 3, () => 0.999_999),
    799,
  );
  assert.equal(
    backoffDelay(policy, 20, () => 0.5),
    5_000,
  );
});
