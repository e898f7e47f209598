/**
 * Decides what a Claude Code turn's result means for the engine: success, or a failure that is
 * transient (retry), permanent (stop) or a usage limit (wait for its reset). Failures inside a run are
 * printed as the result, not as an exit code, so this reads `is_error`, `api_error_status` and the text.
 */
import type { StepFailure } from '../agent.js';
import type { ClaudeResultLine } from './claude-messages.js';

/** `resetAt`: when the turn's own notices said the provider's rate limit resets (see `announcedReset`). */
export function classifyClaudeResult(
  result: ClaudeResultLine,
  now: number,
  resetAt?: number,
): StepFailure | undefined {
  const text = (result.result ?? result.errors?.join('; ') ?? '').trim();
  const limit = parseUsageLimit(text, now);
  if (limit !== undefined) {
    return { code: 'USAGE_LIMIT', kind: 'usage-limit', message: text.slice(0, 500), resetAt: limit };
  }
  if (!result.is_error && result.subtype === 'success') return undefined;
  const status = result.api_error_status ?? undefined;
  const message =
    text === ''
      ? `claude ended the turn with ${result.subtype ?? 'a result line this version cannot read'}`
      : text.slice(0, 500);
  const base = { message, ...(status !== undefined && { apiStatus: status }) };
  if (
    status === 401 ||
    status === 403 ||
    /invalid api key|authentication|not logged in|please run \/login/i.test(text)
  ) {
    return { ...base, code: 'AUTH_FAILED', kind: 'permanent' };
  }
  if (status === 429)
    return { ...base, code: 'RATE_LIMITED', kind: 'transient', ...(resetAt !== undefined && { resetAt }) };
  if (status !== undefined && (status >= 500 || status === 408 || status === 409)) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  if (status !== undefined && status >= 400) return { ...base, code: 'MODEL_ERROR', kind: 'permanent' };
  if (result.subtype === 'error_max_budget_usd') return { ...base, code: 'BUDGET', kind: 'permanent' };
  if (result.subtype === 'error_max_turns') {
    return { ...base, code: 'AGENT_ERROR', kind: 'permanent' };
  }
  if (/cannot be launched inside another claude code session/i.test(text)) {
    return { ...base, code: 'AGENT_ERROR', kind: 'permanent' };
  }
  if (/overloaded|rate limit|timed? ?out|ECONNRESET|ECONNREFUSED|socket hang up|network/i.test(text)) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  return { ...base, code: 'AGENT_ERROR', kind: 'transient' };
}

/**
 * Usage-limit messages of subscription plans, e.g. "Claude AI usage limit reached|1767225600" or
 * "You've hit your limit · resets 4am (Europe/Berlin)". Returns the reset time in epoch ms when one is
 * given, an hour from now when the message says a limit was hit without a time, else undefined.
 */
export function parseUsageLimit(text: string, now: number): number | undefined {
  const epoch = /usage limit reached\|(\d{9,13})/i.exec(text);
  if (epoch?.[1]) {
    const value = Number(epoch[1]);
    return value < 1e12 ? value * 1_000 : value;
  }
  if (!/(usage limit|hit your limit|limit reached|limit will reset|resets? (at )?\d)/i.test(text))
    return undefined;
  const clock = /resets?(?: at)? (\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i.exec(text);
  if (!clock?.[1]) return now + 60 * 60_000;
  let hour = Number(clock[1]) % 12;
  if (clock[3]?.toLowerCase() === 'pm') hour += 12;
  if (!clock[3] && Number(clock[1]) >= 12) hour = Number(clock[1]);
  const minutes = Number(clock[2] ?? 0);
  const reset = new Date(now);
  reset.setHours(hour, minutes, 0, 0);
  if (reset.getTime() <= now) reset.setDate(reset.getDate() + 1);
  return reset.getTime();
}
