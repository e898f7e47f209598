import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentStreamPart } from '../../../../src/agents/agent.js';
import { classifyClaudeResult } from '../../../../src/agents/claude/classify-claude-result.js';
import {
  announcedReset,
  type ClaudeResultLine,
  parseClaudeLine,
} from '../../../../src/agents/claude/claude-messages.js';

function partsOf(lines: string[]): AgentStreamPart[] {
  return lines.flatMap((line) => {
    const parsed = parseClaudeLine(line);
    return parsed.kind === 'control' ? [] : parsed.parts;
  });
}

const limited: ClaudeResultLine = {
  type: 'result',
  subtype: 'success',
  is_error: true,
  api_error_status: 429,
  result: 'API Error: Request rejected (429) · Rate limited by the scripted model server',
};

test('claude: the wait after its last 429 (the provider’s retry-after) becomes the failure’s reset', () => {
  const now = 1_000_000;
  const parts = partsOf([
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":2,"retry_delay_ms":600.58,"error_status":500,"error":"server_error"}',
    '{"type":"system","subtype":"api_retry","attempt":2,"max_retries":2,"retry_delay_ms":3000.4,"error_status":429,"error":"rate_limit"}',
  ]);
  assert.equal(announcedReset(parts, now), now + 3_001);
  assert.equal(classifyClaudeResult(limited, now, announcedReset(parts, now))?.resetAt, now + 3_001);
  // A turn that met no 429 announces nothing.
  assert.equal(
    announcedReset(partsOf(['{"type":"system","subtype":"init","session_id":"s"}']), now),
    undefined,
  );
});

test('claude: a 429 waited out within claude’s own backoff announces no reset (the engine’s backoff decides)', () => {
  const now = 1_000_000;
  const backoffOnly = partsOf([
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":1,"retry_delay_ms":612.3,"error_status":429,"error":"rate_limit"}',
    '{"type":"system","subtype":"api_retry","attempt":6,"max_retries":10,"retry_delay_ms":19000,"error_status":429,"error":"rate_limit"}',
  ]);
  assert.equal(announcedReset(backoffOnly, now), undefined);
  assert.equal(classifyClaudeResult(limited, now, announcedReset(backoffOnly, now))?.resetAt, undefined);
  // Past the backoff of its attempt, the wait can only be the provider's retry-after.
  const announced = partsOf([
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":1,"retry_delay_ms":2000,"error_status":429,"error":"rate_limit"}',
  ]);
  assert.equal(announcedReset(announced, now), now + 2_000);
});

test('claude: a rejected rate_limit_event names the reset; allowed ones are ignored', () => {
  const resetsAt = 1_900_000_000;
  const parts = partsOf([
    `{"type":"rate_limit_event","rate_limit_info":{"status":"allowed_warning","resetsAt":${resetsAt - 60}},"session_id":"s"}`,
    `{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":${resetsAt},"rateLimitType":"five_hour"},"session_id":"s"}`,
  ]);
  assert.equal(parts.length, 1);
  assert.equal(announcedReset(parts, 0), resetsAt * 1_000);
  const failure = classifyClaudeResult(limited, 0, announcedReset(parts, 0));
  assert.equal(failure?.code, 'RATE_LIMITED');
  assert.equal(failure?.resetAt, resetsAt * 1_000);
});
