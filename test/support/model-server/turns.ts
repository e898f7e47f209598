// What the scripted model answers with: a "turn". Tests build turns with the helpers below rather than
// writing wire JSON, and the server renders each turn in whichever API the CLI spoke.

export interface ScriptedToolCall {
  /** A tool name the CLI advertised, e.g. `Write` (claude), `apply_patch` (codex), `write_file` (gemini). */
  name: string;
  /** JSON arguments; a string for a freeform tool (codex apply_patch takes the patch text itself). */
  input: Record<string, unknown> | string;
}

interface TurnTiming {
  /** Milliseconds to wait before the status line is sent: a slow model, not a slow stream. */
  delayMs?: number;
}

export interface TextTurn extends TurnTiming {
  kind: 'text';
  text: string;
}

export interface ToolCallsTurn extends TurnTiming {
  kind: 'tool-calls';
  calls: ScriptedToolCall[];
  /** Optional text the model says before calling the tools. */
  text?: string;
}

export interface ErrorTurn extends TurnTiming {
  kind: 'error';
  /** 429, 500, 529 (Anthropic "overloaded"), 503 … */
  status: number;
  message?: string;
  /** Sent as the `retry-after` header (seconds or an HTTP date), exactly as given. */
  retryAfter?: string;
  /** Sent as the `retry-after-ms` header (the OpenAI/Anthropic SDK extension). */
  retryAfterMs?: string;
  /**
   * Fields merged into the body's `error` object, for what a provider says there beyond a message: an
   * OpenAI `code: 'insufficient_quota'`, a ChatGPT `type: 'usage_limit_reached'` with its `resets_at`.
   */
  errorFields?: Record<string, unknown>;
}

export type MalformedVariant =
  /** A 200 whose body (or first SSE data line) is not JSON. */
  | 'invalid-json'
  /** A stream that starts well and is cut (socket destroyed) before its final event. */
  | 'truncated-stream'
  /** A 200 stream that ends cleanly after bytes that are not SSE at all. */
  | 'not-sse';

export interface MalformedTurn extends TurnTiming {
  kind: 'malformed';
  variant: MalformedVariant;
}

export type Turn = TextTurn | ToolCallsTurn | ErrorTurn | MalformedTurn;

export function text(reply: string, timing: TurnTiming = {}): TextTurn {
  return { kind: 'text', text: reply, ...timing };
}

export function toolCalls(
  calls: ScriptedToolCall[],
  options: TurnTiming & { text?: string } = {},
): ToolCallsTurn {
  return { kind: 'tool-calls', calls, ...options };
}

export function toolCall(
  name: string,
  input: Record<string, unknown> | string,
  options: TurnTiming & { text?: string } = {},
): ToolCallsTurn {
  return toolCalls([{ name, input }], options);
}

export function httpError(status: number, options: Omit<ErrorTurn, 'kind' | 'status'> = {}): ErrorTurn {
  return { kind: 'error', status, ...options };
}

export function malformed(variant: MalformedVariant, timing: TurnTiming = {}): MalformedTurn {
  return { kind: 'malformed', variant, ...timing };
}

/** `count` copies of a turn: e.g. a 429 that persists through every retry a CLI makes. */
export function repeat(turn: Turn, count: number): Turn[] {
  return Array.from({ length: count }, () => turn);
}
