import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/plan/parse-duration.js';
import { formatDuration } from '../../../src/support/format-duration.js';

test('durations accept ms, s, m, h and plain milliseconds', () => {
  assert.deepEqual(parseDuration('250ms'), { ok: true, ms: 250 });
  assert.deepEqual(parseDuration('30s'), { ok: true, ms: 30_000 });
  assert.deepEqual(parseDuration('1.5s'), { ok: true, ms: 1_500 });
  assert.deepEqual(parseDuration('5m'), { ok: true, ms: 300_000 });
  assert.deepEqual(parseDuration('1h'), { ok: true, ms: 3_600_000 });
  assert.deepEqual(parseDuration(1200), { ok: true, ms: 1_200 });
});

test('bad durations are rejected with a message that shows the accepted forms', () => {
  for (const bad of ['5 minutes', '10', '-1s', 's', '1d', '', true]) {
    const parsed = parseDuration(bad);
    assert.equal(parsed.ok, false, `expected ${JSON.stringify(bad)} to be rejected`);
  }
  const parsed = parseDuration('5 minutes');
  assert.ok(!parsed.ok && parsed.reason.includes('250ms, 30s, 5m, 1h'));
  assert.equal(parseDuration(-5).ok, false);
  assert.equal(parseDuration('8d').ok, false);
  assert.equal(parseDuration('200h').ok, false, 'longer than the 7-day maximum');
});

test('durations print short and readable', () => {
  assert.equal(formatDuration(850), '850ms');
  assert.equal(formatDuration(12_340), '12.3s');
  assert.equal(formatDuration(245_000), '4m05s');
  assert.equal(formatDuration(3_720_000), '1h02m');
});

test('a duration that must be positive refuses 0 and what rounds to 0', () => {
  for (const zero of [0, '0s', '0ms', 0.4, '0.0001s']) {
    const parsed = parseDuration(zero, { positive: true });
    assert.ok(!parsed.ok && parsed.reason.includes('not a positive duration'), `${zero} accepted`);
  }
  assert.deepEqual(parseDuration('1ms', { positive: true }), { ok: true, ms: 1 });
  assert.deepEqual(parseDuration(0), { ok: true, ms: 0 }, 'zero stays fine where it means "at once"');
});
