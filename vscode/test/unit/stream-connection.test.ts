import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { ApiClient } from '../../src/api/api-client.js';
import { StreamConnection } from '../../src/api/stream-connection.js';
import { MemoryLogger } from '../support/memory-logger.js';

const token = 't'.repeat(64);

test('the stream authenticates with subprotocols and Origin, and resubscribes from the last seq after a drop', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  t.after(() => wss.close());
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let seq: number | undefined;
  const connections: Array<{ protocols: string; origin: string | undefined; messages: unknown[] }> = [];
  const received = new Promise<void>((resolve) => {
    wss.on('connection', (socket, request) => {
      const record = {
        protocols: String(request.headers['sec-websocket-protocol']),
        origin: request.headers.origin,
        messages: [] as unknown[],
      };
      connections.push(record);
      socket.on('message', (data) => {
        record.messages.push(JSON.parse(data.toString()));
        if (connections.length === 1 && record.messages.length === 2) {
          // The model moved on while connected; the drop must resume from here.
          seq = 7;
          socket.terminate();
        }
        if (connections.length === 2 && record.messages.length === 2) resolve();
      });
    });
  });
  const stream = new StreamConnection(
    { server: async () => ({ url, port, pid: 1, token }), logger: new MemoryLogger(), random: () => 0 },
    { message: () => undefined, state: () => undefined },
  );
  t.after(() => stream.close());
  stream.follow('run-1', () => seq);
  stream.start();
  await received;
  const [first, second] = connections;
  assert.equal(first?.protocols, `ai-collab.v1,ai-collab.token.${token}`);
  assert.equal(first?.origin, url);
  assert.deepEqual(first?.messages, [{ type: 'subscribe-runs' }, { type: 'subscribe', runId: 'run-1' }]);
  assert.deepEqual(second?.messages, [
    { type: 'subscribe-runs' },
    { type: 'subscribe', runId: 'run-1', afterSeq: 7 },
  ]);
});

test('the API client sends the token only in the Authorization header, and Origin on POSTs', async (t) => {
  const seen: Array<{ method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders }> =
    [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers });
    response.writeHead(request.url === '/api/runs' && request.method === 'POST' ? 422 : 200, {
      'content-type': 'application/json',
    });
    response.end(
      request.method === 'POST'
        ? JSON.stringify({ error: 'PLAN_INVALID', problems: ['steps.0: unknown agent x', { path: 'a' }] })
        : JSON.stringify({ ok: true, version: '1', pid: 9 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const api = new ApiClient({ url: `http://127.0.0.1:${port}`, port, pid: 9, token });
  assert.equal((await api.health()).pid, 9);
  await assert.rejects(api.runPlan('steps: []', 'p.yaml'), (error: unknown) => {
    const failure = error as { status: number; apiCode: string; details: string[] };
    assert.equal(failure.status, 422);
    assert.equal(failure.apiCode, 'PLAN_INVALID');
    assert.deepEqual(failure.details, ['steps.0: unknown agent x', '{"path":"a"}']);
    return true;
  });
  const [get, post] = seen;
  assert.equal(get?.headers.authorization, `Bearer ${token}`);
  assert.equal(get?.headers.origin, undefined);
  assert.equal(post?.headers.origin, `http://127.0.0.1:${port}`);
  assert.equal(post?.headers['content-type'], 'application/json');
  for (const request of seen) assert.ok(!request.url?.includes(token));
});

test('an unreachable server is a NETWORK error naming it', async () => {
  const api = new ApiClient({ url: 'http://127.0.0.1:9', port: 9, pid: 1, token });
  await assert.rejects(api.health({ timeoutMs: 2_000 }), {
    code: 'NETWORK',
    message: /127\.0\.0\.1:9 is unreachable/,
  });
});
