import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyClaudeResult,
  parseUsageLimit,
} from '../../../../src/agents/claude/classify-claude-result.js';
import type { ClaudeResultLine } from '../../../../src/agents/claude/claude-messages.js';

// Result lines in the shape Claude Code 2.1 prints at the end of a turn (`--output-format stream-json`):
// failures inside a run arrive as a result with `is_error`, `api_error_status` and the text.

const now = new Date(2026, 10, 27, 14, 0, 0).getTime();

function result(fields: Partial<ClaudeResultLine>): ClaudeResultLine {
  return { type: 'result', subtype: 'success', is_error: false, ...fields };
}

describe('classifying a claude turn', () => {
  test('a successful turn is no failure', () => {
    assert.equal(classifyClaudeResult(result({ result: 'Done: wrote add.ts' }), now), undefined);
  });

  const cases: Array<{ name: string; line: Partial<ClaudeResultLine>; code: string; kind: string }> = [
    {
      name: 'HTTP 401',
      line: { is_error: true, api_error_status: 401, result: 'API Error: 401 invalid x-api-key' },
      code: 'AUTH_FAILED',
      kind: 'permanent',
    },
    {
      name: 'not logged in, no status',
      line: { is_error: true, result: 'Invalid API key · Please run /login' },
      code: 'AUTH_FAILED',
      kind: 'permanent',
    },
    {
      name: 'HTTP 429',
      line: { is_error: true, api_error_status: 429, result: 'API Error: 429 rate_limit_error' },
      code: 'RATE_LIMITED',
      kind: 'transient',
    },
    {
      name: 'HTTP 529 overloaded',
      line: { is_error: true, api_error_status: 529, result: 'API Error: 529 Overloaded' },
      code: 'MODEL_ERROR',
      kind: 'transient',
    },
    {
      name: 'HTTP 408',
      line: { is_error: true, api_error_status: 408, result: 'API Error: 408' },
      code: 'MODEL_ERROR',
      kind: 'transient',
    },
    {
      name: 'HTTP 400',
      line: { is_error: true, api_error_status: 400, result: 'API Error: 400 prompt is too long' },
      code: 'MODEL_ERROR',
      kind: 'permanent',
    },
    {
      name: 'out of turns',
      line: { is_error: true, subtype: 'error_max_turns' },
      code: 'AGENT_ERROR',
      kind: 'permanent',
    },
    {
      name: 'over budget',
      line: { is_error: true, subtype: 'error_max_budget_usd', errors: ['budget exceeded'] },
      code: 'BUDGET',
      kind: 'permanent',
    },
    {
      name: 'nested session',
      line: {
        is_error: true,
        result: 'Error: Claude Code cannot be launched inside another Claude Code session.',
      },
      code: 'AGENT_ERROR',
      kind: 'permanent',
    },
    {
      name: 'a dropped connection',
      line: { is_error: true, result: 'API Error: Connection error. (ECONNRESET)' },
      code: 'MODEL_ERROR',
      kind: 'transient',
    },
    {
      name: 'anything else',
      line: { is_error: true, subtype: 'error_during_execution' },
      code: 'AGENT_ERROR',
      kind: 'transient',
    },
  ];
  for (const { name, line, code, kind } of cases) {
    test(`${name}: ${code}/${kind}`, () => {
      const failure = classifyClaudeResult(result(line), now);
      assert.equal(failure?.code, code);
      assert.equal(failure?.kind, kind);
      if (line.api_error_status) assert.equal(failure?.apiStatus, line.api_error_status);
    });
  }

  test('the message is the result text, else the errors, else what ended the turn; capped at 500', () => {
    assert.equal(
      classifyClaudeResult(result({ is_error: true, errors: ['one', 'two'] }), now)?.message,
      'one; two',
    );
    assert.equal(
      classifyClaudeResult(result({ is_error: true, subtype: 'error_during_execution' }), now)?.message,
      'claude ended the turn with error_during_execution',
    );
    const long = classifyClaudeResult(result({ is_error: true, result: 'x'.repeat(2_000) }), now);
    assert.equal(long?.message.length, 500);
  });

  test('a usage limit, even on a turn that says success, waits for the reset', () => {
    const failure = classifyClaudeResult(result({ result: 'Claude AI usage limit reached|1767225600' }), now);
    assert.deepEqual(
      { code: failure?.code, kind: failure?.kind, resetAt: failure?.resetAt },
      { code: 'USAGE_LIMIT', kind: 'usage-limit', resetAt: 1_767_225_600_000 },
    );
  });
});

describe('usage-limit messages', () => {
  test('an epoch in seconds or milliseconds', () => {
    assert.equal(parseUsageLimit('Claude AI usage limit reached|1767225600', now), 1_767_225_600_000);
    assert.equal(parseUsageLimit('Claude AI usage limit reached|1767225600123', now), 1_767_225_600_123);
  });

  test('a clock time later today, or tomorrow once it has passed', () => {
    assert.equal(
      parseUsageLimit("You've hit your limit · resets 4pm", now),
      new Date(2026, 10, 27, 16).getTime(),
    );
    assert.equal(
      parseUsageLimit("You've hit your limit · resets 4am", now),
      new Date(2026, 10, 28, 4).getTime(),
    );
    assert.equal(
      parseUsageLimit('Your limit will reset at 15:30', now),
      new Date(2026, 10, 27, 15, 30).getTime(),
    );
  });

  test('a limit with no time waits an hour; other text is no limit', () => {
    assert.equal(parseUsageLimit('5-hour limit reached', now), now + 60 * 60_000);
    assert.equal(parseUsageLimit('API Error: 429 rate_limit_error', now), undefined);
    assert.equal(parseUsageLimit('All done.', now), undefined);
  });
});
