/**
 * What a failed Chat Completions request means for the engine. The adapter never retries by itself: it
 * says whether a retry can help (transient) or not (permanent), and when the provider said how long to
 * wait, passes that on as `resetAt` so the engine's backoff can honour it.
 */

import { type HeaderSource, parseRetryAfter } from '../../limits/retry-after.js';
import { errorCode } from '../../support/error-code.js';
import { isRecord } from '../../support/json-record.js';
import type { StepFailure } from '../agent.js';

export interface FailureContext {
  /** Agent name, for configuration hints. */
  agent: string;
  /** Host of the endpoint, for messages (never the full URL, which may carry credentials). */
  host: string;
  apiKeyEnv: string | undefined;
  now: number;
}

const maxMessageChars = 500;

/** The provider's own words from an error body: `error.message`, `message`, `detail`, or the text itself. */
export function providerMessage(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim().slice(0, maxMessageChars);
  }
  const record = isRecord(parsed) ? parsed : {};
  const error = record.error;
  const candidates: unknown[] = [
    isRecord(error) ? error.message : error,
    record.message,
    typeof record.detail === 'string' ? record.detail : JSON.stringify(record.detail),
  ];
  const found = candidates.find((value): value is string => typeof value === 'string' && value !== '');
  return (found ?? body.trim()).slice(0, maxMessageChars);
}

/** The error code in an OpenAI-style body (`insufficient_quota`, `model_not_found`, …), if any. */
function bodyErrorCode(body: string): string | undefined {
  const match = /"(?:code|type)"\s*:\s*"([a-z_]+)"/.exec(body);
  return match?.[1];
}

export function classifyHttpFailure(
  status: number,
  headers: HeaderSource,
  body: string,
  context: FailureContext,
): StepFailure {
  const said = providerMessage(body) || `HTTP ${status}`;
  const resetAt = parseRetryAfter(headers, context.now);
  return classifyStatus(status, said, bodyErrorCode(body), resetAt, context);
}

/** An `error` object inside a 200 stream (OpenRouter, vLLM): its code decides when it is HTTP-like. */
export function classifyStreamError(
  error: { message: string; status?: number; code?: string },
  context: FailureContext,
): StepFailure {
  if (error.status !== undefined)
    return classifyStatus(error.status, error.message, error.code, undefined, context);
  const base = {
    message: `${context.host} reported an error mid-stream: ${error.message.slice(0, maxMessageChars)}`,
  };
  if (error.code === 'rate_limit_exceeded') return { ...base, code: 'RATE_LIMITED', kind: 'transient' };
  if (error.code === 'insufficient_quota') return { ...base, code: 'USAGE_LIMIT', kind: 'permanent' };
  return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
}

function classifyStatus(
  status: number,
  said: string,
  code: string | undefined,
  resetAt: number | undefined,
  context: FailureContext,
): StepFailure {
  const base = {
    message: `${context.host} answered ${status}: ${said}`,
    apiStatus: status,
    ...(resetAt !== undefined && { resetAt }),
  };
  if (status === 401 || status === 403) {
    return {
      ...base,
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: `${base.message}; ${authHint(context)}`,
    };
  }
  // OpenAI answers an exhausted prepaid balance with 429 insufficient_quota: waiting will not refill it.
  if (status === 402 || (status === 429 && code === 'insufficient_quota')) {
    return { ...base, code: 'USAGE_LIMIT', kind: 'permanent' };
  }
  if (status === 429) return { ...base, code: 'RATE_LIMITED', kind: 'transient' };
  if (status === 408 || status === 409 || status === 425 || status === 499 || status >= 500) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  return { ...base, code: 'MODEL_ERROR', kind: 'permanent' };
}

function authHint(context: FailureContext): string {
  if (context.apiKeyEnv) {
    return `set ${context.apiKeyEnv} to a valid API key (it is read from the environment, never from the config file)`;
  }
  return `the endpoint wants an API key: set agents.${context.agent}.apiKeyEnv to the name of the environment variable that holds it`;
}

/** A request that got no HTTP answer: refused, reset, DNS, TLS. Worth retrying; the network may recover. */
export function classifyNetworkError(
  error: unknown,
  context: FailureContext,
  phase: 'request' | 'stream' = 'request',
): StepFailure {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  const detail = [error instanceof Error ? error.message : String(error), cause?.message, code]
    .filter((part): part is string => Boolean(part))
    .filter((part, index, all) => all.indexOf(part) === index)
    .join(': ');
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      code: 'AGENT_UNAVAILABLE',
      kind: 'transient',
      message: `cannot reach ${context.host} (${detail}); is the server running and the baseUrl right?`,
    };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { code: 'TIMEOUT', kind: 'transient', message: `${context.host} stopped answering (${detail})` };
  }
  const what =
    phase === 'stream' ? `the stream from ${context.host} broke off` : `connection to ${context.host} failed`;
  return { code: 'MODEL_ERROR', kind: 'transient', message: `${what}: ${detail}` };
}
