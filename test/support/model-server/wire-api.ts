import type { AdvertisedTool, ApiKind, ConversationMessage } from './conversation.js';
import type { SseEvent } from './sse.js';
import type { ScriptedToolCall } from './turns.js';

/** A turn that produces a model message (text and/or tool calls), as opposed to an error. */
export interface Reply {
  text: string;
  calls: ScriptedToolCall[];
}

/** What a wire API reads from one request body, before the server numbers it. */
export interface RequestView {
  model: string;
  stream: boolean;
  tools: AdvertisedTool[];
  messages: ConversationMessage[];
  auxiliary: boolean;
}

/** Deterministic ids (`msg_1`, `toolu_2`, …): the same script gives the same bytes on every run. */
export class IdSource {
  #count = 0;
  next(prefix: string): string {
    this.#count++;
    return `${prefix}${this.#count}`;
  }
}

/** What the server needs from each API: read a request, render a reply or an error in its dialect. */
export interface WireApi {
  readonly kind: ApiKind;
  read(body: unknown, path: string): RequestView;
  /** Streaming answer as SSE events, in order; the server may cut it short for `truncated-stream`. */
  streamReply(reply: Reply, view: RequestView, ids: IdSource): SseEvent[];
  jsonReply(reply: Reply, view: RequestView, ids: IdSource): unknown;
  errorBody(status: number, message: string): unknown;
  /** The text an auxiliary request gets when the script does not answer it. */
  auxiliaryText(view: RequestView): string;
}

/** Splits text in two at a word boundary so that clients must join deltas, as with a real model. */
export function textChunks(text: string): string[] {
  const middle = text.indexOf(' ', Math.floor(text.length / 2));
  return middle <= 0 ? [text] : [text.slice(0, middle), text.slice(middle)];
}

/** A stable, made-up token count: enough for clients that sum usage, meaningless otherwise. */
export function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function argumentsText(call: ScriptedToolCall): string {
  return typeof call.input === 'string' ? call.input : JSON.stringify(call.input);
}

export function argumentsObject(call: ScriptedToolCall): Record<string, unknown> {
  if (typeof call.input !== 'string') return call.input;
  const parsed: unknown = JSON.parse(call.input);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`tool call ${call.name}: a JSON-argument tool needs an object, got ${call.input}`);
  }
  return parsed as Record<string, unknown>;
}
