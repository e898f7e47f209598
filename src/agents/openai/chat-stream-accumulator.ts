/**
 * Folds the `data:` payloads of a streamed Chat Completion into one completion: text deltas joined, tool
 * call deltas merged by their `index` (the id and name come once, the arguments in pieces), the last usage
 * kept. Servers differ in small ways (a missing `index`, usage in the finish chunk or in a chunk of its
 * own, an `error` object mid-stream), and each is accepted here rather than treated as a broken stream.
 */
import type { ChatCompletion, ChatToolCall, ChatUsage } from './chat-types.js';

/** The payload is not what any Chat Completions server sends: not JSON, or not an object. */
export class ChatProtocolError extends Error {
  override readonly name = 'ChatProtocolError';
}

/** What one payload meant, for the caller's live view. */
export type ChunkMeaning =
  | { kind: 'done' }
  | { kind: 'delta'; text: string; reasoning: string }
  /** An error reported inside a 200 stream; `status` when the server gave an HTTP-like code. */
  | { kind: 'error'; message: string; status?: number; code?: string };

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function usageOf(raw: unknown): ChatUsage | undefined {
  if (!isObject(raw)) return undefined;
  const cached = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details.cached_tokens : undefined;
  return {
    promptTokens: countOf(raw.prompt_tokens),
    completionTokens: countOf(raw.completion_tokens),
    ...(typeof cached === 'number' && cached > 0 && { cachedPromptTokens: cached }),
  };
}

export class ChatStreamAccumulator {
  readonly #maxChars: number;
  #text = '';
  #chars = 0;
  #calls = new Map<number, PendingCall>();
  #lastIndex = -1;
  #finishReason: string | undefined;
  #usage: ChatUsage | undefined;
  #model: string | undefined;
  #done = false;

  /** @param maxChars cap on text plus tool arguments of one completion. */
  constructor(maxChars = 16 * 1024 * 1024) {
    this.#maxChars = maxChars;
  }

  get done(): boolean {
    return this.#done;
  }

  get finishReason(): string | undefined {
    return this.#finishReason;
  }

  accept(data: string): ChunkMeaning {
    if (data.trim() === '[DONE]') {
      this.#done = true;
      return { kind: 'done' };
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new ChatProtocolError(`a stream event is not JSON: ${data.slice(0, 200)}`);
    }
    if (!isObject(chunk))
      throw new ChatProtocolError(`a stream event is not an object: ${data.slice(0, 200)}`);
    if (typeof chunk.model === 'string' && chunk.model !== '') this.#model = chunk.model;
    const usage = usageOf(chunk.usage);
    if (usage) this.#usage = usage;
    if (chunk.error !== undefined && chunk.error !== null) return streamError(chunk.error);
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find(isObject) : undefined;
    if (!choice) return { kind: 'delta', text: '', reasoning: '' };
    if (typeof choice.finish_reason === 'string') this.#finishReason = choice.finish_reason;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : {};
    const text = stringOf(delta.content);
    const reasoning = stringOf(delta.reasoning_content) || stringOf(delta.reasoning);
    this.#grow(text.length);
    this.#text += text;
    if (Array.isArray(delta.tool_calls)) {
      for (const [position, raw] of delta.tool_calls.entries()) this.#mergeCall(raw, position);
    }
    return { kind: 'delta', text, reasoning };
  }

  /** The completion so far; call ids the server left out are made up, since results must name one. */
  result(): ChatCompletion {
    const toolCalls: ChatToolCall[] = [...this.#calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: call.id || `call_${index}`,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    return {
      text: this.#text,
      toolCalls,
      finishReason: this.#finishReason,
      usage: this.#usage,
      model: this.#model,
    };
  }

  #mergeCall(raw: unknown, position: number): void {
    if (!isObject(raw)) return;
    const fn = isObject(raw.function) ? raw.function : {};
    const id = stringOf(raw.id);
    const index = this.#indexOf(raw.index, id, position);
    this.#lastIndex = index;
    const call = this.#calls.get(index) ?? { id: '', name: '', arguments: '' };
    if (id !== '') call.id = id;
    const name = stringOf(fn.name);
    // Names come whole in one delta; some servers repeat them in every delta, so a repeat is not appended.
    if (name !== '' && name !== call.name) call.name += name;
    const piece = stringOf(fn.arguments);
    this.#grow(piece.length);
    call.arguments += piece;
    this.#calls.set(index, call);
  }

  /** `index` is required by the spec, but some servers omit it: then a new id starts a new call. */
  #indexOf(raw: unknown, id: string, position: number): number {
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return raw;
    if (id !== '') {
      for (const [index, call] of this.#calls) if (call.id === id) return index;
      return Math.max(this.#calls.size, position);
    }
    return this.#lastIndex >= 0 ? this.#lastIndex : position;
  }

  #grow(chars: number): void {
    this.#chars += chars;
    if (this.#chars > this.#maxChars) {
      throw new ChatProtocolError(`the completion grew beyond ${this.#maxChars} characters`);
    }
  }
}

function streamError(raw: unknown): ChunkMeaning {
  if (!isObject(raw)) return { kind: 'error', message: stringOf(raw) || 'the stream reported an error' };
  const message = stringOf(raw.message) || 'the stream reported an error';
  const numeric = typeof raw.code === 'number' ? raw.code : Number(stringOf(raw.code) || Number.NaN);
  const code = typeof raw.code === 'string' ? raw.code : stringOf(raw.type);
  return {
    kind: 'error',
    message,
    ...(Number.isInteger(numeric) && numeric >= 400 && numeric < 600 && { status: numeric }),
    ...(code !== '' && { code }),
  };
}
