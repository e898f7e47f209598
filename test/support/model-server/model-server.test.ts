import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpError, type ModelServer, malformed, startModelServer, text, toolCall } from './index.js';

// The server on its own, through plain fetch: every API, stream and not, errors, faults, recording.
// The real CLIs exercise it end to end in test/integration/model-server-real-clis.test.ts.

async function withServer(
  options: Parameters<typeof startModelServer>[0],
  body: (server: ModelServer) => Promise<void>,
): Promise<void> {
  const server = await startModelServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function post(
  server: ModelServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

interface Sse {
  event?: string;
  data: string;
}

function parseSse(textBody: string): Sse[] {
  return textBody
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return event === undefined ? { data } : { event, data };
    });
}

function dataOf(events: Sse[]): Record<string, unknown>[] {
  return events
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as Record<string, unknown>);
}

const anthropicBody = (stream: boolean) => ({
  model: 'claude-test',
  stream,
  tools: [{ name: 'Write', input_schema: { type: 'object' } }],
  messages: [{ role: 'user', content: 'hello MARK' }],
});

test('anthropic: a streamed text reply follows message_start … message_stop and joins to the text', async () => {
  await withServer({ script: [text('Hello there, streaming world')] }, async (server) => {
    const response = await post(server, '/v1/messages?beta=true', anthropicBody(true), {
      'x-api-key': 'secret',
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = parseSse(await response.text());
    assert.deepEqual(
      events.map((event) => event.event),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const joined = dataOf(events)
      .map((data) => (data.delta as { text?: string } | undefined)?.text ?? '')
      .join('');
    assert.equal(joined, 'Hello there, streaming world');
    assert.equal(server.requests[0]?.headers['x-api-key'], '<redacted 6 chars>');
    assert.equal(server.requests[0]?.model?.lastUserText, 'hello MARK');
  });
});

test('anthropic: a non-streamed tool call is a tool_use block with stop_reason tool_use', async () => {
  await withServer({ script: [toolCall('Write', { file_path: '/x', content: 'y' })] }, async (server) => {
    const message = (await (await post(server, '/v1/messages', anthropicBody(false))).json()) as Record<
      string,
      unknown
    >;
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(message.content, [
      { type: 'tool_use', id: 'toolu_scripted_2', name: 'Write', input: { file_path: '/x', content: 'y' } },
    ]);
  });
});

test('a queue skips auxiliary requests, shows tool results, and answers 400 once it runs out', async () => {
  const script = [toolCall('Write', { file_path: '/x', content: 'y' }), text('done')];
  await withServer({ script }, async (server) => {
    // A title request (no tools) is auxiliary: it gets a neutral answer and leaves the queue alone.
    const title = await post(server, '/v1/messages', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.match(JSON.stringify(await title.json()), /Scripted session/);
    assert.equal(server.remainingTurns, 2);
    await post(server, '/v1/messages', anthropicBody(false));
    const followUp = {
      ...anthropicBody(false),
      messages: [
        { role: 'user', content: 'hello MARK' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Write', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'written' }] },
      ],
    };
    await post(server, '/v1/messages', followUp);
    assert.deepEqual(server.modelRequests()[2]?.pendingToolResults, [
      { id: 't1', name: 'Write', output: 'written', isError: false },
    ]);
    assert.equal(server.modelRequests()[2]?.lastUserText, 'hello MARK');
    const exhausted = await post(server, '/v1/messages', anthropicBody(false));
    assert.equal(exhausted.status, 400);
    assert.match(await exhausted.text(), /no turn scripted for request #3/);
  });
});

test('responses: function and custom (freeform) tool calls, then response.completed with usage', async () => {
  const script = [
    toolCall('apply_patch', '*** Begin Patch\n*** End Patch\n'),
    toolCall('exec_command', { cmd: 'ls' }),
  ];
  await withServer({ script }, async (server) => {
    const tools = [
      { type: 'custom', name: 'apply_patch' },
      { type: 'function', name: 'exec_command', parameters: {} },
    ];
    const body = {
      model: 'gpt-test',
      stream: true,
      tools,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] }],
    };
    const custom = dataOf(parseSse(await (await post(server, '/v1/responses', body)).text()));
    assert.equal(custom[0]?.type, 'response.created');
    assert.equal(custom.at(-1)?.type, 'response.completed');
    const done = custom.find((event) => event.type === 'response.output_item.done')?.item as Record<
      string,
      unknown
    >;
    assert.equal(done.type, 'custom_tool_call');
    assert.equal(done.input, '*** Begin Patch\n*** End Patch\n');
    const fn = dataOf(parseSse(await (await post(server, '/v1/responses', body)).text()));
    const item = fn.find((event) => event.type === 'response.output_item.done')?.item as Record<
      string,
      unknown
    >;
    assert.equal(item.type, 'function_call');
    assert.equal(item.arguments, '{"cmd":"ls"}');
    assert.deepEqual(
      fn.map((event) => event.sequence_number),
      fn.map((_, index) => index),
    );
  });
});

test('chat completions: streamed text ends with [DONE]; a non-streamed tool call has tool_calls', async () => {
  await withServer({ script: [text('one two three four'), toolCall('lookup', { q: 1 })] }, async (server) => {
    const body = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    const events = parseSse(await (await post(server, '/v1/chat/completions', body)).text());
    assert.equal(events.at(-1)?.data, '[DONE]');
    const joined = dataOf(events)
      .map((chunk) => (chunk.choices as { delta: { content?: string } }[])[0]?.delta.content ?? '')
      .join('');
    assert.equal(joined, 'one two three four');
    const reply = (await (await post(server, '/v1/chat/completions', { ...body, stream: false })).json()) as {
      choices: {
        message: { tool_calls: { function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
    };
    assert.equal(reply.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(reply.choices[0]?.message.tool_calls[0]?.function, {
      name: 'lookup',
      arguments: '{"q":1}',
    });
  });
});

test('gemini: streamGenerateContent ends with finishReason STOP; generateContent returns a functionCall', async () => {
  await withServer(
    { script: [text('alpha beta gamma'), toolCall('write_file', { file_path: 'a', content: 'b' })] },
    async (server) => {
      const body = {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        tools: [{ functionDeclarations: [{ name: 'write_file' }] }],
      };
      const chunks = dataOf(
        parseSse(
          await (
            await post(server, '/v1beta/models/gemini-test:streamGenerateContent?alt=sse&key=k', body)
          ).text(),
        ),
      );
      const candidates = chunks.map(
        (chunk) =>
          (chunk.candidates as { content: { parts: { text?: string }[] }; finishReason?: string }[])[0],
      );
      assert.equal(
        candidates.map((candidate) => candidate?.content.parts.map((part) => part.text).join('')).join(''),
        'alpha beta gamma',
      );
      assert.equal(candidates.at(-1)?.finishReason, 'STOP');
      assert.equal(
        server.requests[0]?.path,
        '/v1beta/models/gemini-test:streamGenerateContent?alt=sse&key=<redacted>',
      );
      const reply = (await (
        await post(server, '/v1beta/models/gemini-test:generateContent', body)
      ).json()) as {
        candidates: { content: { parts: unknown[] } }[];
      };
      assert.deepEqual(reply.candidates[0]?.content.parts, [
        { functionCall: { name: 'write_file', args: { file_path: 'a', content: 'b' } } },
      ]);
    },
  );
});

test('errors carry each API’s error body and the retry-after / retry-after-ms headers as scripted', async () => {
  const script = [
    httpError(429, { retryAfter: '7', retryAfterMs: '7000' }),
    httpError(529),
    httpError(429),
    httpError(500),
  ];
  await withServer({ script }, async (server) => {
    const limited = await post(server, '/v1/messages', anthropicBody(false));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal(limited.headers.get('retry-after-ms'), '7000');
    assert.equal(((await limited.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
    const overloaded = await post(server, '/v1/messages', anthropicBody(false));
    assert.equal(overloaded.status, 529);
    assert.equal(((await overloaded.json()) as { error: { type: string } }).error.type, 'overloaded_error');
    const gemini = await post(server, '/v1beta/models/g:generateContent', {
      contents: [],
      tools: [{ functionDeclarations: [{ name: 'x' }] }],
    });
    assert.equal(gemini.headers.get('retry-after'), null);
    assert.deepEqual(((await gemini.json()) as { error: unknown }).error, {
      code: 429,
      message: 'Rate limited by the scripted model server',
      status: 'RESOURCE_EXHAUSTED',
    });
    const responses = await post(server, '/v1/responses', { model: 'm', input: 'x' });
    assert.equal(responses.status, 500);
    assert.equal(((await responses.json()) as { error: { type: string } }).error.type, 'server_error');
  });
});

test('malformed turns: JSON that does not parse, a stream cut mid-way, a body that is not SSE', async () => {
  const script = [malformed('invalid-json'), malformed('truncated-stream'), malformed('not-sse')];
  await withServer({ script }, async (server) => {
    const bad = await post(server, '/v1/messages', anthropicBody(true));
    const badData = parseSse(await bad.text())[0]?.data ?? '';
    assert.throws(() => JSON.parse(badData));
    const cut = await post(server, '/v1/messages', anthropicBody(true));
    await assert.rejects(cut.text());
    const html = await post(server, '/v1/messages', anthropicBody(true));
    assert.equal(parseSse(await html.text())[0]?.data, '');
  });
});

test('latency: a turn’s delay holds the answer back; every request is recorded with its time', async () => {
  await withServer({ script: [text('late', { delayMs: 300 })] }, async (server) => {
    const head = await fetch(server.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    await (await post(server, '/v1/messages', anthropicBody(false))).json();
    const count = (await (await post(server, '/v1/messages/count_tokens', anthropicBody(false))).json()) as {
      input_tokens: number;
    };
    assert.ok(count.input_tokens > 0);
    assert.equal((await fetch(`${server.url}/nowhere`)).status, 404);
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.answer?.status}`),
      ['HEAD 200', 'POST 200', 'POST 200', 'GET 404'],
    );
    const [probe, call] = server.requests;
    assert.ok(probe && call && call.receivedAt >= probe.receivedAt);
    // The answer started 300 ms after the request arrived (on the server's own record, so a slow client does
    // not count; Node's timers run from the event loop's cached time, hence the slack below 300).
    assert.ok(
      call.answeredAt !== undefined && call.answeredAt - call.receivedAt >= 200,
      JSON.stringify(call),
    );
  });
});
