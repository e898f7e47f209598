/**
 * Reads one 200 response into a completion: SSE `data:` events fed to the accumulator until `[DONE]`,
 * or — for servers that ignore `stream: true` — one JSON `chat.completion` body.
 */
import { ChatProtocolError, ChatStreamAccumulator, type ChunkMeaning } from './chat-stream-accumulator.js';
import type { ChatCompletion } from './chat-types.js';
import { type SseItem, SseParser } from './sse-parser.js';

export interface StreamHandlers {
  /** Called for every chunk of bytes, so an idle timer can be reset. */
  onActivity(): void;
  onText(text: string): void;
  onReasoning(text: string): void;
  onUnknownLine(raw: string): void;
}

export type StreamReadOutcome =
  | { kind: 'completed'; completion: ChatCompletion; sawDone: boolean }
  | { kind: 'stream-error'; error: Extract<ChunkMeaning, { kind: 'error' }>; completion: ChatCompletion };

const maxJsonBodyBytes = 32 * 1024 * 1024;

export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  handlers: StreamHandlers,
): Promise<StreamReadOutcome> {
  const reader = body.getReader();
  const accumulator = new ChatStreamAccumulator();
  try {
    if (contentType.includes('application/json')) return await readJsonBody(reader, accumulator, handlers);
    const parser = new SseParser();
    for (;;) {
      const { done, value } = await reader.read();
      const items = done ? parser.end() : parser.push(value);
      if (!done) handlers.onActivity();
      const outcome = feed(items, accumulator, handlers);
      if (outcome) return outcome;
      if (done) break;
    }
    if (accumulator.finishReason === undefined) {
      throw new ChatProtocolError(
        'the stream ended before the completion finished (no finish_reason, no [DONE])',
      );
    }
    return { kind: 'completed', completion: accumulator.result(), sawDone: false };
  } finally {
    // After [DONE] the rest of the body is ignored; cancelling frees the connection instead of waiting on it.
    reader.cancel().catch(() => undefined);
  }
}

function feed(
  items: SseItem[],
  accumulator: ChatStreamAccumulator,
  handlers: StreamHandlers,
): StreamReadOutcome | undefined {
  for (const item of items) {
    if (item.kind === 'unknown-line') {
      handlers.onUnknownLine(item.raw);
      continue;
    }
    if (item.event === 'error')
      return { kind: 'stream-error', error: eventError(item.data), completion: accumulator.result() };
    const meaning = accumulator.accept(item.data);
    if (meaning.kind === 'done')
      return { kind: 'completed', completion: accumulator.result(), sawDone: true };
    if (meaning.kind === 'error')
      return { kind: 'stream-error', error: meaning, completion: accumulator.result() };
    if (meaning.reasoning !== '') handlers.onReasoning(meaning.reasoning);
    if (meaning.text !== '') handlers.onText(meaning.text);
  }
  return undefined;
}

/** An `event: error` SSE event: its data is usually an OpenAI-style error object, sometimes plain text. */
function eventError(data: string): Extract<ChunkMeaning, { kind: 'error' }> {
  try {
    const meaning = new ChatStreamAccumulator().accept(data);
    if (meaning.kind === 'error') return meaning;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { kind: 'error', message: data.slice(0, 500) };
}

async function readJsonBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  accumulator: ChatStreamAccumulator,
  handlers: StreamHandlers,
): Promise<StreamReadOutcome> {
  const text = await readCapped(reader, maxJsonBodyBytes, handlers.onActivity);
  const meaning = accumulator.accept(text);
  if (meaning.kind === 'error')
    return { kind: 'stream-error', error: meaning, completion: accumulator.result() };
  if (meaning.kind === 'delta' && meaning.text !== '') handlers.onText(meaning.text);
  const completion = accumulator.result();
  if (completion.finishReason === undefined && completion.text === '' && completion.toolCalls.length === 0) {
    throw new ChatProtocolError(`the JSON answer is not a chat completion: ${text.slice(0, 200)}`);
  }
  return { kind: 'completed', completion, sawDone: true };
}

/** Reads a body up to `maxBytes`, then stops: an error page must not be able to fill memory. */
export async function readCapped(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  onActivity: () => void = () => undefined,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    onActivity();
    chunks.push(value);
    size += value.length;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
