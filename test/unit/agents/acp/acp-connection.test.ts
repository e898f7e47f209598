import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  methods,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
} from '@agentclientprotocol/sdk';
import type { AcpSessionHandlers } from '../../../../src/agents/acp/acp-connection.js';
import { rpcErrorOf } from '../../../../src/agents/acp/classify-acp-outcome.js';
import { connectInProcess, fakeAgent } from './fake-acp-agent.js';

interface Recorded {
  updates: unknown[];
  transcript: string[];
  permissions: RequestPermissionRequest[];
  writes: string[];
}

function handlers(
  answer: (request: RequestPermissionRequest) => RequestPermissionResponse = () => ({
    outcome: { outcome: 'cancelled' },
  }),
): AcpSessionHandlers & { recorded: Recorded } {
  const recorded: Recorded = { updates: [], transcript: [], permissions: [], writes: [] };
  return {
    recorded,
    transcript: (direction, line) => recorded.transcript.push(`${direction} ${line}`),
    update: (update) => recorded.updates.push(update),
    permission: (request) => {
      recorded.permissions.push(request);
      return answer(request);
    },
    readTextFile: (request) => ({ content: `content of ${request.path}` }),
    writeTextFile: (request) => {
      recorded.writes.push(request.path);
    },
  };
}

test('initialize offers the file system as configured, never a terminal, and speaks protocol version 1', async () => {
  for (const fileSystem of [true, false]) {
    const { app, log } = fakeAgent({ onPrompt: async () => ({ stopReason: 'end_turn' }) });
    const pipe = connectInProcess(app, { fileSystem });
    const result = await pipe.connection.initialize();
    assert.equal(result.protocolVersion, 1);
    assert.equal(log.initialize.length, 1);
    const line =
      pipe.wire.find((entry) => entry.includes('"method":"initialize"')) ?? assert.fail('no initialize');
    const sent = (JSON.parse(line.slice(3)) as { params: Record<string, unknown> }).params;
    assert.equal(sent.protocolVersion, 1);
    assert.deepEqual(sent.clientCapabilities, {
      fs: { readTextFile: fileSystem, writeTextFile: fileSystem },
      terminal: false,
    });
    assert.deepEqual(sent.clientInfo, { name: 'ai-collab', version: '0.1.0' });
    pipe.close();
  }
});

test('session/new names the absolute cwd and no MCP servers, one request at a time', async () => {
  const { app, log } = fakeAgent({
    newSessionDelayMs: 20,
    onPrompt: async () => ({ stopReason: 'end_turn' }),
  });
  const pipe = connectInProcess(app);
  await pipe.connection.initialize();
  const ids = await Promise.all(
    ['/w/a', '/w/b', '/w/c'].map((cwd) => pipe.connection.openSession(cwd, handlers())),
  );
  assert.deepEqual(ids, ['sess-1', 'sess-2', 'sess-3']);
  assert.deepEqual(
    log.sessions.map((session) => [session.cwd, session.mcpServers]),
    [
      ['/w/a', []],
      ['/w/b', []],
      ['/w/c', []],
    ],
  );
  assert.equal(log.maxConcurrentNew, 1, 'concurrent session/new requests make Gemini CLI back off on a lock');
  pipe.close();
});

test('every session/update sent before the prompt response is applied when the prompt resolves', async () => {
  const { app } = fakeAgent({
    onPrompt: async ({ update }) => {
      for (let index = 0; index < 200; index++) {
        await update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `${index},` } });
      }
      return {
        stopReason: 'end_turn',
        _meta: { quota: { token_count: { input_tokens: 3, output_tokens: 4 } } },
      };
    },
  });
  const pipe = connectInProcess(app);
  await pipe.connection.initialize();
  const session = handlers();
  const sessionId = await pipe.connection.openSession('/w', session);
  const outcome = await pipe.connection.prompt(sessionId, 'go');
  assert.equal(outcome.stopReason, 'end_turn');
  assert.equal(session.recorded.updates.length, 200, 'no update arrives after the turn ended');
  assert.deepEqual(outcome.result._meta, { quota: { token_count: { input_tokens: 3, output_tokens: 4 } } });
  pipe.close();
});

test('updates, permission requests and file requests reach the session they name, with its transcript', async () => {
  const { app } = fakeAgent({
    onPrompt: async ({ client, sessionId, cwd, update }) => {
      await update({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: `hello from ${sessionId}` },
      });
      const answer = await client.request(methods.client.session.requestPermission, {
        sessionId,
        toolCall: { toolCallId: `call-${sessionId}`, kind: 'edit', locations: [{ path: `${cwd}/f.txt` }] },
        options: [
          { optionId: 'yes', name: 'Allow', kind: 'allow_once' },
          { optionId: 'no', name: 'Reject', kind: 'reject_once' },
        ],
      });
      const read = await client.request(methods.client.fs.readTextFile, { sessionId, path: `${cwd}/f.txt` });
      await client.request(methods.client.fs.writeTextFile, {
        sessionId,
        path: `${cwd}/out.txt`,
        content: 'x',
      });
      return {
        stopReason: 'end_turn',
        _meta: { answer: answer.outcome, read: read.content },
      };
    },
  });
  const pipe = connectInProcess(app);
  await pipe.connection.initialize();
  const one = handlers(() => ({ outcome: { outcome: 'selected', optionId: 'yes' } }));
  const two = handlers(() => ({ outcome: { outcome: 'selected', optionId: 'no' } }));
  const [idOne, idTwo] = await Promise.all([
    pipe.connection.openSession('/one', one),
    pipe.connection.openSession('/two', two),
  ]);
  const [resultOne, resultTwo] = await Promise.all([
    pipe.connection.prompt(idOne ?? '', 'a'),
    pipe.connection.prompt(idTwo ?? '', 'b'),
  ]);
  assert.deepEqual(resultOne.result._meta, {
    answer: { outcome: 'selected', optionId: 'yes' },
    read: 'content of /one/f.txt',
  });
  assert.deepEqual(resultTwo.result._meta, {
    answer: { outcome: 'selected', optionId: 'no' },
    read: 'content of /two/f.txt',
  });
  assert.deepEqual(one.recorded.writes, ['/one/out.txt']);
  assert.deepEqual(two.recorded.writes, ['/two/out.txt']);
  assert.equal(one.recorded.permissions[0]?.toolCall.toolCallId, `call-${idOne}`);
  assert.deepEqual(one.recorded.updates, [
    { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `hello from ${idOne}` } },
  ]);
  // Each transcript holds its own session's traffic, both ways, and nothing of the other session.
  const transcriptOne = one.recorded.transcript.join('\n');
  assert.match(transcriptOne, />> \{"jsonrpc":"2.0","id":\d+,"method":"session\/prompt"/);
  assert.match(transcriptOne, /<< .*"method":"session\/request_permission"/);
  assert.match(transcriptOne, />> .*"optionId":"yes"/);
  assert.match(transcriptOne, /<< .*"stopReason":"end_turn"/);
  assert.ok(!transcriptOne.includes(idTwo ?? 'x'), 'the other session is not in this transcript');
  assert.match(one.recorded.transcript[0] ?? '', /session\/new/);
  pipe.close();
});

test('authentication happens only when the agent asks for it and a method is configured', async () => {
  const configured = fakeAgent({
    requireAuth: 'api-key',
    onPrompt: async () => ({ stopReason: 'end_turn' }),
  });
  const withMethod = connectInProcess(configured.app, { fileSystem: false, authMethodId: 'api-key' });
  await withMethod.connection.initialize();
  assert.equal(await withMethod.connection.openSession('/w', handlers()), 'sess-1');
  assert.equal(await withMethod.connection.openSession('/w', handlers()), 'sess-2');
  assert.deepEqual(configured.log.authenticated, ['api-key'], 'once per connection');
  withMethod.close();

  const unconfigured = fakeAgent({
    requireAuth: 'api-key',
    onPrompt: async () => ({ stopReason: 'end_turn' }),
  });
  const without = connectInProcess(unconfigured.app, { fileSystem: false });
  await without.connection.initialize();
  const error = await without.connection.openSession('/w', handlers()).then(
    () => assert.fail('expected authentication required'),
    (reason: unknown) => reason,
  );
  assert.equal(rpcErrorOf(error)?.code, -32000);
  assert.deepEqual(unconfigured.log.authenticated, []);
  without.close();

  const notNeeded = fakeAgent({ onPrompt: async () => ({ stopReason: 'end_turn' }) });
  const plain = connectInProcess(notNeeded.app, { fileSystem: false, authMethodId: 'api-key' });
  await plain.connection.initialize();
  await plain.connection.openSession('/w', handlers());
  assert.deepEqual(notNeeded.log.authenticated, [], 'never authenticate an agent that does not ask');
  plain.close();
});

test('cancel sends session/cancel; forget closes the session when the agent can', async () => {
  const { app, log } = fakeAgent({
    closeCapability: true,
    onPrompt: async ({ cancelled }) => {
      await cancelled;
      return { stopReason: 'cancelled' };
    },
  });
  const pipe = connectInProcess(app);
  await pipe.connection.initialize();
  const sessionId = await pipe.connection.openSession('/w', handlers());
  const prompt = pipe.connection.prompt(sessionId, 'wait');
  await pipe.connection.cancel(sessionId);
  assert.equal((await prompt).stopReason, 'cancelled');
  assert.deepEqual(log.cancelled, [sessionId]);
  pipe.connection.forget(sessionId);
  await waitUntil(() => log.closed.length === 1);
  assert.deepEqual(log.closed, [sessionId]);
  pipe.close();
});

test('a request for a session this client does not know is refused', async () => {
  const { app } = fakeAgent({
    onPrompt: async ({ client }) => {
      const error = await client
        .request(methods.client.fs.readTextFile, { sessionId: 'someone-else', path: '/etc/passwd' })
        .then(
          () => 'read it',
          (reason: unknown) => String(rpcErrorOf(reason)?.code),
        );
      return { stopReason: 'end_turn', _meta: { error } };
    },
  });
  const pipe = connectInProcess(app);
  await pipe.connection.initialize();
  const sessionId = await pipe.connection.openSession('/w', handlers());
  const outcome = await pipe.connection.prompt(sessionId, 'try');
  assert.deepEqual(outcome.result._meta, { error: '-32002' });
  pipe.close();
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 200 && !condition(); round++)
    await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition());
}
