/**
 * Reads Claude Code's stream-json / json output lines into stream parts and, at the end of a turn, a
 * result. Unknown line types are kept as `unknown-line` parts, never an error: the CLI adds types often.
 */

import { z } from 'zod';
import { isRecord } from '../../support/json-record.js';
import { lenient } from '../../support/lenient-field.js';
import type { AgentStreamPart, AgentUsage } from '../agent.js';

const tokens = lenient(z.number());

/**
 * The line that ends a turn. Any `result` line ends it, whatever else it holds: a field of another shape
 * reads as absent (a turn without `subtype: success` and `is_error: false` is classified as failed).
 */
export const claudeResultLineSchema = z.object({
  type: z.literal('result'),
  subtype: lenient(z.string()),
  is_error: lenient(z.boolean()),
  result: lenient(z.string()),
  session_id: lenient(z.string()),
  total_cost_usd: lenient(z.number()),
  api_error_status: lenient(z.number().nullable()),
  errors: lenient(z.array(z.string())),
  /** Per model: tokens and cost (cumulative over a long-lived process's turns, like `total_cost_usd`). */
  modelUsage: lenient(z.record(z.string(), z.unknown())),
  usage: lenient(
    z.object({
      input_tokens: tokens,
      output_tokens: tokens,
      cache_read_input_tokens: tokens,
      cache_creation_input_tokens: tokens,
    }),
  ),
});

export type ClaudeResultLine = z.infer<typeof claudeResultLineSchema>;

export type ParsedClaudeLine =
  | { kind: 'parts'; parts: AgentStreamPart[] }
  | { kind: 'result'; result: ClaudeResultLine; parts: AgentStreamPart[] }
  | { kind: 'control'; message: Record<string, unknown> };

/** Tools whose input names the file they write, so a step can report what it changed. */
const fileWritingTools = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

export function parseClaudeLine(line: string): ParsedClaudeLine {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { kind: 'parts', parts: [{ type: 'unknown-line', raw: line.slice(0, 2_000) }] };
  }
  if (!isRecord(message) || typeof message.type !== 'string') {
    return { kind: 'parts', parts: [{ type: 'unknown-line', raw: line.slice(0, 2_000) }] };
  }
  switch (message.type) {
    case 'system':
      return { kind: 'parts', parts: systemParts(message) };
    case 'assistant':
      return { kind: 'parts', parts: assistantParts(message) };
    case 'user':
      return { kind: 'parts', parts: toolResultParts(message) };
    case 'result': {
      const result = claudeResultLineSchema.parse(message);
      return { kind: 'result', result, parts: resultParts(result) };
    }
    case 'control_request':
    case 'control_response':
    case 'control_cancel_request':
      return { kind: 'control', message };
    case 'stream_event':
      return { kind: 'parts', parts: [] };
    case 'rate_limit_event':
      return { kind: 'parts', parts: rateLimitParts(message) };
    default:
      return { kind: 'parts', parts: [{ type: 'unknown-line', raw: line.slice(0, 2_000) }] };
  }
}

/** The stream parts a turn's result line yields: its usage, when it reports any. */
export function resultParts(result: ClaudeResultLine): AgentStreamPart[] {
  const usage = usageOf(result);
  return usage ? [{ type: 'usage-report', usage }] : [];
}

export function usageOf(result: ClaudeResultLine): AgentUsage | undefined {
  const usage = result.usage;
  if (!usage) return undefined;
  const cached = (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
  const models = Object.keys(result.modelUsage ?? {});
  return {
    inputTokens: (usage.input_tokens ?? 0) + cached,
    outputTokens: usage.output_tokens ?? 0,
    ...(cached > 0 && { cachedInputTokens: cached }),
    ...(typeof result.total_cost_usd === 'number' && { costUsd: result.total_cost_usd }),
    // With several models in one turn (a subagent on another), no single name prices it.
    ...(models.length === 1 && { model: models[0] }),
  };
}

/** Paths a turn's tool calls wrote, as the CLI reported them (absolute or relative). */
export function writtenPaths(parts: readonly AgentStreamPart[]): string[] {
  const paths: string[] = [];
  for (const part of parts) {
    if (part.type !== 'tool-call' || !fileWritingTools.has(part.name) || !isRecord(part.input)) continue;
    const path = part.input.file_path ?? part.input.notebook_path;
    if (typeof path === 'string') paths.push(path);
  }
  return paths;
}

function systemParts(message: Record<string, unknown>): AgentStreamPart[] {
  if (message.subtype === 'init' && typeof message.session_id === 'string') {
    return [
      {
        type: 'session-start',
        sessionId: message.session_id,
        ...(typeof message.model === 'string' && { model: message.model }),
      },
    ];
  }
  if (message.subtype === 'api_retry') {
    const delay = typeof message.retry_delay_ms === 'number' ? message.retry_delay_ms : undefined;
    const status = typeof message.error_status === 'number' ? message.error_status : undefined;
    // A 429's wait is kept only when it is the provider's: claude waits max(retry-after, its own backoff),
    // and a wait within its own backoff announces no reset (the engine's backoff then decides).
    const attempt = typeof message.attempt === 'number' ? message.attempt : 1;
    const announced = delay !== undefined && (status !== 429 || delay > ownBackoffCeilingMs(attempt));
    return [
      {
        type: 'retry-notice',
        message: `model API retry ${String(message.attempt ?? '?')}/${String(message.max_retries ?? '?')} after ${String(message.error_status ?? message.error ?? 'an error')}`,
        ...(announced && { delayMs: Math.ceil(delay) }),
        ...(status !== undefined && { status }),
      },
    ];
  }
  return [];
}

/** The longest claude's own backoff before retry `attempt` can be: 0.5 s × 2ⁿ⁻¹, capped at 32 s, + 25 % jitter (PROTOCOL-NOTES). */
function ownBackoffCeilingMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempt - 1), 32_000) * 1.25;
}

/**
 * `rate_limit_event`: the state of a subscription's rate-limit window. Only a rejection matters to a step:
 * it names when the window resets (`resetsAt`, epoch seconds).
 */
function rateLimitParts(message: Record<string, unknown>): AgentStreamPart[] {
  const info = isRecord(message.rate_limit_info) ? message.rate_limit_info : {};
  if (info.status !== 'rejected') return [];
  const resetsAt = typeof info.resetsAt === 'number' ? info.resetsAt * 1_000 : undefined;
  const window = typeof info.rateLimitType === 'string' ? info.rateLimitType.slice(0, 40) : undefined;
  return [
    {
      type: 'retry-notice',
      message: `rate limit reached${window === undefined ? '' : ` (${window})`}${resetsAt === undefined ? '' : `; it resets at ${new Date(resetsAt).toISOString()}`}`,
      status: 429,
      ...(resetsAt !== undefined && { resetAt: resetsAt }),
      ...(window !== undefined && { window }),
    },
  ];
}

/** The window (`five_hour`, `seven_day` …) of the last rejected rate-limit notice of a turn, if it named one. */
export function announcedWindow(parts: readonly AgentStreamPart[]): string | undefined {
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index];
    if (part?.type === 'retry-notice' && part.window !== undefined) return part.window;
  }
  return undefined;
}

/**
 * When the provider last said a rate-limited call may be made again, from the turn's notices: a rejected
 * window's reset, or the wait claude took after its last 429 (the provider's retry-after, at least),
 * counted from now. Undefined when the turn met no rate limit.
 */
export function announcedReset(parts: readonly AgentStreamPart[], now: number): number | undefined {
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index];
    if (part?.type !== 'retry-notice' || part.status !== 429) continue;
    if (part.resetAt !== undefined) return part.resetAt;
    if (part.delayMs !== undefined) return now + part.delayMs;
  }
  return undefined;
}

function assistantParts(message: Record<string, unknown>): AgentStreamPart[] {
  const inner = isRecord(message.message) ? message.message : {};
  const content = Array.isArray(inner.content) ? inner.content : [];
  const parts: AgentStreamPart[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string')
      parts.push({ type: 'text-delta', text: block.text });
    else if (block.type === 'tool_use' && typeof block.name === 'string') {
      parts.push({ type: 'tool-call', id: String(block.id ?? ''), name: block.name, input: block.input });
    }
  }
  return parts;
}

function toolResultParts(message: Record<string, unknown>): AgentStreamPart[] {
  const inner = isRecord(message.message) ? message.message : {};
  const content = Array.isArray(inner.content) ? inner.content : [];
  const parts: AgentStreamPart[] = [];
  for (const block of content) {
    if (!isRecord(block) || block.type !== 'tool_result') continue;
    parts.push({
      type: 'tool-result',
      id: String(block.tool_use_id ?? ''),
      output: textOf(block.content).slice(0, 4_000),
      isError: block.is_error === true,
    });
  }
  return parts;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((item) => (isRecord(item) && typeof item.text === 'string' ? item.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}
