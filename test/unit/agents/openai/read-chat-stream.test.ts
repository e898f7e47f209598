import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatProtocolError } from '../../../../src/agents/openai/chat-stream-accumulator.js';
import { readChatStream, type StreamHandlers } from '../../../../src/agents/openai/read-chat-stream.js';
import { createStreamRedactor } from '../../../../src/agents/openai/redact-secret.js';

function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

function recorder() {
  const seen = { text: [] as string[], reasoning: [] as string[], unknown: [] as string[], activity: 0 };
  const handlers: StreamHandlers = {
    onActivity: () => seen.activity++,
    onText: (text) => seen.text.push(text),
    onReasoning: (text) => seen.reasoning.push(text),
    onUnknownLine: (raw) => seen.unknown.push(raw),
  };
  return { seen, handlers };
}

const delta = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

test('reads a stream to [DONE], reporting text as it comes', async () => {
  const { seen, handlers } = recorder();
  const outcome = await readChatStream(
    body(delta('Hel'), delta('lo', 'stop'), 'data: [DONE]\n\n'),
    'text/event-stream',
    handlers,
  );
  assert.equal(outcome.kind, 'completed');
  assert.equal(outcome.kind === 'completed' && outcome.sawDone, true);
  assert.equal(outcome.completion.text, 'Hello');
  assert.deepEqual(seen.text, ['Hel', 'lo']);
  assert.equal(seen.activity, 3);
});

test('a stream that stops after its finish reason but before [DONE] still counts, flagged', async () => {
  const outcome = await readChatStream(body(delta('ok', 'stop')), 'text/event-stream', recorder().handlers);
  assert.deepEqual(outcome.kind === 'completed' && [outcome.sawDone, outcome.completion.text], [false, 'ok']);
});

test('a stream that ends mid-answer, or is not SSE at all, is a protocol error', async () => {
  await assert.rejects(
    readChatStream(body(delta('half')), 'text/event-stream', recorder().handlers),
    ChatProtocolError,
  );
  const { seen, handlers } = recorder();
  await assert.rejects(
    readChatStream(body('<html>502 Bad Gateway</html>\n'), 'text/html', handlers),
    ChatProtocolError,
  );
  assert.deepEqual(seen.unknown, ['<html>502 Bad Gateway</html>']);
});

test('an error event or an error object in the stream ends it with a stream error', async () => {
  const event = await readChatStream(
    body(delta('par'), 'event: error\ndata: {"error":{"message":"upstream overloaded","code":529}}\n\n'),
    'text/event-stream',
    recorder().handlers,
  );
  assert.deepEqual(event.kind === 'stream-error' && event.error, {
    kind: 'error',
    message: 'upstream overloaded',
    status: 529,
  });
  assert.equal(event.completion.text, 'par');
  const plain = await readChatStream(
    body('event: error\ndata: boom\n\n'),
    'text/event-stream',
    recorder().handlers,
  );
  assert.deepEqual(plain.kind === 'stream-error' && plain.error, { kind: 'error', message: 'boom' });
});

test('a server that ignores stream:true and answers JSON is read as one completion', async () => {
  const { seen, handlers } = recorder();
  const json = JSON.stringify({
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'whole answer' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2 },
  });
  const outcome = await readChatStream(body(json.slice(0, 20), json.slice(20)), 'application/json', handlers);
  assert.equal(outcome.completion.text, 'whole answer');
  assert.deepEqual(outcome.completion.usage, { promptTokens: 3, completionTokens: 2 });
  assert.deepEqual(seen.text, ['whole answer']);
  await assert.rejects(
    readChatStream(body('{"ok":true}'), 'application/json', recorder().handlers),
    ChatProtocolError,
  );
});

test('the stream redactor masks a key even when it arrives split across writes', () => {
  const key = 'sk-abcdef123456';
  for (let cut = 1; cut < key.length; cut++) {
    const redactor = createStreamRedactor(key);
    const text = [
      redactor.write(`key: ${key.slice(0, cut)}`),
      redactor.write(`${key.slice(cut)} and again ${key}.`),
      redactor.end(),
    ].join('');
    assert.equal(text, 'key: <redacted> and again <redacted>.', `cut at ${cut}`);
  }
  const none = createStreamRedactor(undefined);
  assert.equal(none.write('plain'), 'plain');
});
