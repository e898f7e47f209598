import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readNotification } from '../../../../src/agents/codex/codex-app-server-events.js';
import { exhaustedWindow, readLimitWindows } from '../../../../src/agents/codex/codex-limit-windows.js';
import { newTurnState, turnResult } from '../../../../src/agents/codex/codex-turn.js';

// The shape of app-server 0.171.0's `account/rateLimits/updated` (RateLimitSnapshot, RateLimitWindow).
function snapshot(primaryUsed: number, weeklyUsed: number | null) {
  return {
    rateLimits: {
      limitId: 'codex',
      limitName: null,
      primary: { usedPercent: primaryUsed, windowDurationMins: 300, resetsAt: 1_767_225_600 },
      secondary:
        weeklyUsed === null
          ? null
          : { usedPercent: weeklyUsed, windowDurationMins: 10_080, resetsAt: 1_767_600_000 },
      credits: null,
      planType: 'plus',
    },
  };
}

test('the 5-hour and weekly windows are read with how much is used and when they reset', () => {
  assert.deepEqual(readLimitWindows(snapshot(42.5, 10)), [
    { window: 'five_hour', usedPercent: 42.5, resetsAt: 1_767_225_600_000 },
    { window: 'weekly', usedPercent: 10, resetsAt: 1_767_600_000_000 },
  ]);
  assert.deepEqual(readLimitWindows({ rateLimits: 'nonsense' }), []);
  assert.equal(exhaustedWindow(readLimitWindows(snapshot(30, 100)))?.window, 'weekly');
});

test("a codex usage limit names the window codex reported used up, with that window's reset", () => {
  const state = newTurnState();
  readNotification({ method: 'account/rateLimits/updated', params: snapshot(100, 60) }, state);
  // A sparse update of the weekly window alone keeps the 5-hour one.
  readNotification(
    {
      method: 'account/rateLimits/updated',
      params: {
        rateLimits: {
          primary: null,
          secondary: { usedPercent: 61, windowDurationMins: 10_080, resetsAt: null },
        },
      },
    },
    state,
  );
  state.end = 'failed';
  state.error = { message: "You've hit your usage limit. Try again later.", errorInfo: 'usageLimitExceeded' };
  const result = turnResult(state, '/ws', 1_767_220_000_000);
  assert.ok(result && !result.ok);
  assert.equal(result.failure.kind, 'usage-limit');
  assert.equal(result.failure.limitWindow, 'five_hour');
  assert.equal(result.failure.resetAt, 1_767_225_600_000);
});
