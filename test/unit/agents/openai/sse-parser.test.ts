import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseFramingError, type SseItem, SseParser } from '../../../../src/agents/openai/sse-parser.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function parseAll(chunks: Array<string | Uint8Array>): SseItem[] {
  const parser = new SseParser();
  const items: SseItem[] = [];
  for (const chunk of chunks) items.push(...parser.push(typeof chunk === 'string' ? bytes(chunk) : chunk));
  items.push(...parser.end());
  return items;
}

const data = (items: SseItem[]): string[] =>
  items.flatMap((item) => (item.kind === 'event' ? [item.data] : []));

test('splits data events on blank lines and ends with [DONE]', () => {
  const items = parseAll([
    'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"}}]}\n\n',
    'data: [DONE]\n\n',
  ]);
  assert.deepEqual(data(items), [
    '{"choices":[{"delta":{"content":"Hel"}}]}',
    '{"choices":[{"delta":{"content":"lo"}}]}',
    '[DONE]',
  ]);
});

test('an event split anywhere across chunks, even inside CRLF or a UTF-8 character, comes out whole', () => {
  const whole = bytes('data: {"text":"héllo ✓"}\r\n\r\ndata: [DONE]\r\n\r\n');
  for (let cut = 1; cut < whole.length; cut++) {
    const items = parseAll([whole.subarray(0, cut), whole.subarray(cut)]);
    assert.deepEqual(data(items), ['{"text":"héllo ✓"}', '[DONE]'], `cut at byte ${cut}`);
  }
});

test('byte-at-a-time delivery gives the same events', () => {
  const whole = bytes('event: message\ndata: a\ndata: b\n\n: keep-alive\n\ndata:c\r\rdata: [DONE]\n\n');
  const chunks = [...whole].map((byte) => Uint8Array.of(byte));
  const items = parseAll(chunks);
  assert.deepEqual(items, [
    { kind: 'event', event: 'message', data: 'a\nb' },
    { kind: 'event', event: undefined, data: 'c' },
    { kind: 'event', event: undefined, data: '[DONE]' },
  ]);
});

test('comments (keep-alives) and id/retry fields are skipped; lines that are not SSE are reported', () => {
  const items = parseAll([
    ': OPENROUTER PROCESSING\n\nid: 7\nretry: 100\n<html><body>nope</body></html>\n\n',
  ]);
  assert.deepEqual(items, [{ kind: 'unknown-line', raw: '<html><body>nope</body></html>' }]);
});

test('a final event without its blank line is still delivered at the end of the stream', () => {
  assert.deepEqual(data(parseAll(['data: {"a":1}\n\ndata: [DONE]'])), ['{"a":1}', '[DONE]']);
});

test('an error event keeps its event name', () => {
  const items = parseAll(['event: error\ndata: {"error":{"message":"overloaded"}}\n\n']);
  assert.deepEqual(items, [{ kind: 'event', event: 'error', data: '{"error":{"message":"overloaded"}}' }]);
});

test('a line that never ends is a framing error, not unbounded memory', () => {
  const parser = new SseParser(1_000);
  assert.throws(() => parser.push(bytes(`data: ${'x'.repeat(2_000)}`)), SseFramingError);
  const events = new SseParser(1_000);
  assert.throws(() => {
    for (let i = 0; i < 20; i++) events.push(bytes(`data: ${'y'.repeat(100)}\n`));
  }, SseFramingError);
});
