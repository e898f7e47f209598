import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChatProtocolError,
  ChatStreamAccumulator,
} from '../../../../src/agents/openai/chat-stream-accumulator.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'gpt-test',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });

test('joins text deltas and keeps the finish reason, model and usage (OpenAI include_usage shape)', () => {
  const accumulator = new ChatStreamAccumulator();
  assert.deepEqual(accumulator.accept(chunk({ role: 'assistant', content: '' })), {
    kind: 'delta',
    text: '',
    reasoning: '',
  });
  accumulator.accept(chunk({ content: 'Hello' }));
  accumulator.accept(chunk({ content: ', world' }));
  accumulator.accept(chunk({}, 'stop'));
  // With stream_options.include_usage, usage arrives in a last chunk whose choices are empty.
  accumulator.accept(
    JSON.stringify({
      id: 'chatcmpl-1',
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 8 } },
    }),
  );
  assert.deepEqual(accumulator.accept('[DONE]'), { kind: 'done' });
  assert.deepEqual(accumulator.result(), {
    text: 'Hello, world',
    toolCalls: [],
    finishReason: 'stop',
    usage: { promptTokens: 12, completionTokens: 3, cachedPromptTokens: 8 },
    model: 'gpt-test',
  });
});

test('merges parallel tool-call deltas by index: id and name once, arguments in pieces', () => {
  const accumulator = new ChatStreamAccumulator();
  const call = (index: number, fn: Record<string, unknown>, id?: string) =>
    chunk({ tool_calls: [{ index, ...(id && { id, type: 'function' }), function: fn }] });
  accumulator.accept(call(0, { name: 'write_file', arguments: '' }, 'call_a'));
  accumulator.accept(call(0, { arguments: '{"path":"a.txt",' }));
  accumulator.accept(call(1, { name: 'read_file', arguments: '{"pa' }, 'call_b'));
  accumulator.accept(call(0, { arguments: '"content":"hi"}' }));
  accumulator.accept(call(1, { arguments: 'th":"b.txt"}' }));
  accumulator.accept(chunk({}, 'tool_calls'));
  assert.deepEqual(accumulator.result().toolCalls, [
    {
      id: 'call_a',
      type: 'function',
      function: { name: 'write_file', arguments: '{"path":"a.txt","content":"hi"}' },
    },
    { id: 'call_b', type: 'function', function: { name: 'read_file', arguments: '{"path":"b.txt"}' } },
  ]);
});

test('tool calls without index or id (some compatible servers) still come out whole', () => {
  const accumulator = new ChatStreamAccumulator();
  accumulator.accept(
    chunk({ tool_calls: [{ id: 'x1', function: { name: 'list_files', arguments: '{}' } }] }),
  );
  accumulator.accept(
    chunk({ tool_calls: [{ id: 'x2', function: { name: 'read_file', arguments: '{"path":' } }] }),
  );
  accumulator.accept(chunk({ tool_calls: [{ function: { arguments: '"a"}' } }] }));
  const calls = accumulator
    .result()
    .toolCalls.map((call) => [call.id, call.function.name, call.function.arguments]);
  assert.deepEqual(calls, [
    ['x1', 'list_files', '{}'],
    ['x2', 'read_file', '{"path":"a"}'],
  ]);
});

test('a name repeated in every delta is not doubled, and a missing id is made up', () => {
  const accumulator = new ChatStreamAccumulator();
  accumulator.accept(
    chunk({ tool_calls: [{ index: 0, function: { name: 'edit_file', arguments: '{"a"' } }] }),
  );
  accumulator.accept(
    chunk({ tool_calls: [{ index: 0, function: { name: 'edit_file', arguments: ':1}' } }] }),
  );
  assert.deepEqual(accumulator.result().toolCalls, [
    { id: 'call_0', type: 'function', function: { name: 'edit_file', arguments: '{"a":1}' } },
  ]);
});

test('usage in the finish chunk (vLLM, the scripted server) counts too', () => {
  const accumulator = new ChatStreamAccumulator();
  accumulator.accept(
    chunk({}, 'stop', { usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } }),
  );
  assert.deepEqual(accumulator.result().usage, { promptTokens: 10, completionTokens: 4 });
});

test('reasoning deltas are reported apart from the answer text', () => {
  const accumulator = new ChatStreamAccumulator();
  assert.deepEqual(accumulator.accept(chunk({ reasoning_content: 'thinking…' })), {
    kind: 'delta',
    text: '',
    reasoning: 'thinking…',
  });
  accumulator.accept(chunk({ reasoning: 'more', content: 'answer' }));
  assert.equal(accumulator.result().text, 'answer');
});

test('an error object inside the stream is reported with its HTTP-like code', () => {
  const accumulator = new ChatStreamAccumulator();
  assert.deepEqual(
    accumulator.accept('{"error":{"object":"error","message":"model overloaded","code":503}}'),
    {
      kind: 'error',
      message: 'model overloaded',
      status: 503,
    },
  );
  assert.deepEqual(
    new ChatStreamAccumulator().accept(
      '{"id":"x","error":{"code":"server_error","message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}',
    ),
    { kind: 'error', message: 'Provider disconnected', code: 'server_error' },
  );
});

test('a non-streaming chat.completion body reads the same way', () => {
  const accumulator = new ChatStreamAccumulator();
  accumulator.accept(
    JSON.stringify({
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'list_files', arguments: '{}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2 },
    }),
  );
  const result = accumulator.result();
  assert.equal(result.finishReason, 'tool_calls');
  assert.deepEqual(
    result.toolCalls.map((call) => call.function.name),
    ['list_files'],
  );
});

test('payloads that are not JSON objects are protocol errors; output beyond the cap too', () => {
  assert.throws(() => new ChatStreamAccumulator().accept('{"type": not json'), ChatProtocolError);
  assert.throws(() => new ChatStreamAccumulator().accept('"a string"'), ChatProtocolError);
  const small = new ChatStreamAccumulator(10);
  assert.throws(() => small.accept(chunk({ content: 'x'.repeat(11) })), ChatProtocolError);
});
