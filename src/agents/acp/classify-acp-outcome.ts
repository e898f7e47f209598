/**
 * What an ACP turn's end means for the engine: a prompt's `stopReason`, or the JSON-RPC error a request
 * failed with, as a step failure that is transient (retry), permanent (stop) or a usage limit.
 *
 * JSON-RPC codes are ACP's (-32000 authentication required, -32002 not found, the -326xx family). Gemini
 * CLI, the reference agent, answers a failed model call with the HTTP status as the code (400, 401, 429,
 * 500…), so codes 400–599 are read as HTTP statuses.
 */

import { isRecord } from '../../support/json-record.js';
import type { StepFailure } from '../agent.js';
import { stoppedFailure } from '../agent-results.js';

export interface RpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC error as the SDK rejects with it, or undefined for anything else (a crash, a bug). */
export function rpcErrorOf(error: unknown): RpcErrorShape | undefined {
  // An Error the SDK made from the wire is a record too: its `code` and `data` are own properties.
  if (!isRecord(error)) return undefined;
  if (typeof error.code !== 'number' || typeof error.message !== 'string') return undefined;
  return {
    code: error.code,
    message: error.message,
    ...(error.data !== undefined && { data: error.data }),
  };
}

/** Undefined for `end_turn` (success). */
export function failureOfStopReason(stopReason: string, cancelledByUs: boolean): StepFailure | undefined {
  switch (stopReason) {
    case 'end_turn':
      return undefined;
    case 'cancelled':
      return cancelledByUs
        ? { ...stoppedFailure }
        : { code: 'AGENT_ERROR', kind: 'transient', message: 'the agent cancelled the turn on its own' };
    case 'max_tokens':
      return {
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message:
          'the model reached its token limit before finishing (stopReason max_tokens); split the step or raise the limit',
      };
    case 'max_turn_requests':
      return {
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message:
          'the agent reached its limit of model requests for one turn (stopReason max_turn_requests); split the step',
      };
    case 'refusal':
      return {
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message: 'the model refused the request (stopReason refusal); rephrase the step',
      };
    default:
      return {
        code: 'PROTOCOL_ERROR',
        kind: 'transient',
        message: `the agent ended the turn with an unknown stopReason "${stopReason}"`,
      };
  }
}

/** The failure a JSON-RPC error stands for; `during` names the request, for the message. */
export function failureOfRpcError(error: RpcErrorShape, during: string, now: number): StepFailure {
  const text = readableMessage(error.message);
  const message = `${during} failed: ${text}`.slice(0, 500);
  const code = error.code;
  if (code >= 400 && code <= 599) return httpFailure(code, message, text, now);
  switch (code) {
    case -32000:
      return { code: 'AUTH_FAILED', kind: 'permanent', message };
    case -32700:
    case -32600:
    case -32601:
    case -32602:
      return { code: 'PROTOCOL_ERROR', kind: 'permanent', message };
    case -32800:
      return { code: 'ABORTED', kind: 'transient', message };
    case -32002:
      return { code: 'PROTOCOL_ERROR', kind: 'transient', message };
  }
  if (/rate limit|too many requests|quota/i.test(text)) {
    return { code: 'RATE_LIMITED', kind: 'transient', message, ...retryIn(text, now) };
  }
  if (/unauthori[sz]ed|api key|authenticat|not logged in|login required/i.test(text)) {
    return { code: 'AUTH_FAILED', kind: 'permanent', message };
  }
  return { code: 'AGENT_ERROR', kind: 'transient', message };
}

function httpFailure(status: number, message: string, text: string, now: number): StepFailure {
  const base = { message, apiStatus: status };
  if (status === 401 || status === 403) return { ...base, code: 'AUTH_FAILED', kind: 'permanent' };
  if (status === 429) return { ...base, code: 'RATE_LIMITED', kind: 'transient', ...retryIn(text, now) };
  if (status >= 500 || status === 408 || status === 409) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  return { ...base, code: 'MODEL_ERROR', kind: 'permanent' };
}

/**
 * Google APIs say "Please retry in 12.5s" (and a `RetryInfo` the CLI turns into such text); other agents
 * may say "retry after N seconds". Returns a `resetAt` relative to now when the text names a delay.
 */
export function retryIn(text: string, now: number): { resetAt?: number } {
  const match = /retry (?:in|after) (\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)?\b/i.exec(text);
  if (!match?.[1]) return {};
  const value = Number(match[1]);
  const ms = match[2]?.toLowerCase() === 'ms' ? value : value * 1_000;
  return { resetAt: now + Math.ceil(ms) };
}

/** Agents often wrap an API error's JSON in the message; the inner `error.message` reads better. */
export function readableMessage(message: string): string {
  const trimmed = message.trim();
  const start = trimmed.indexOf('{');
  if (start < 0) return trimmed;
  try {
    const parsed: unknown = JSON.parse(trimmed.slice(start, trimmed.lastIndexOf('}') + 1));
    const inner = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : parsed;
    if (isRecord(inner) && typeof inner.message === 'string') {
      const status = typeof inner.status === 'string' ? ` (${inner.status})` : '';
      return `${trimmed.slice(0, start)}${inner.message}${status}`.trim();
    }
  } catch {
    // Not JSON after all: the message as it is.
  }
  return trimmed;
}
