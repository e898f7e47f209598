/**
 * The server's security matrix (reliability.md S1–S6, S10): every route and the WebSocket upgrade refuse a
 * missing or wrong token, a token in the URL, a foreign or null or missing Origin, and a foreign or
 * rebinding Host — checked on the raw socket, so a refused upgrade is proven never to answer 101.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { agentCatalogOf } from '../../src/plan/agent-catalog.js';
import type { Route } from '../../src/server/http/router.js';
import { readServerFile, startServer } from '../../src/server/index.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { planOf } from '../support/test-engine.js';
import { rawRequest, startTestServer, type TestServer, upgradeRequest } from './server-harness.js';

/** Routes anyone may fetch (the dashboard's files); any other route needs the token. */
const publicRoutes = ['GET /', 'GET /assets/*'];
const loginRoutes = ['POST /api/session'];

let harness: TestServer;
let runId: string;
let port: number;
let origin: string;

before(async () => {
  harness = await startTestServer({ limits: { maxConnections: 3, maxFrameBytes: 64 * 1024 } });
  runId = harness.engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: harness.stateDir,
    planFile: null,
  }).runId;
  port = harness.server.port;
  origin = harness.server.url;
});
after(() => harness.close());

function pathOf(route: Route): string {
  return route.path.replace(':runId', runId).replace(':stepId', 'a').replace('*', 'index.js');
}

async function call(
  route: Route,
  headers: Record<string, string | undefined>,
  options: { query?: string } = {},
): Promise<{ status: number; text: string }> {
  const all: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Connection: 'close',
    ...headers,
  };
  const body = route.method === 'POST' ? '{}' : '';
  if (body) {
    all['Content-Type'] = 'application/json';
    all['Content-Length'] = String(body.length);
  }
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return rawRequest(
    port,
    `${route.method} ${pathOf(route)}${options.query ?? ''} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`,
  );
}

const bearer = () => `Bearer ${harness.server.token}`;

describe('route inventory', () => {
  test('every route is classified, and only the dashboard files and sign-in skip the token', () => {
    const classes = new Map(
      harness.server.routes.map((route) => [`${route.method} ${route.path}`, route.access]),
    );
    assert.ok(classes.size >= 15, `expected the full API, found ${classes.size} routes`);
    for (const [name, access] of classes) {
      if (publicRoutes.includes(name)) assert.equal(access, 'public', name);
      else if (loginRoutes.includes(name)) assert.equal(access, 'login', name);
      else assert.equal(access, 'token', `${name} must require the token`);
    }
    for (const route of harness.server.routes) {
      // DELETE is MCP's session end (Streamable HTTP); everything else is GET or POST.
      const methods = route.path === '/mcp' ? ['GET', 'POST', 'DELETE'] : ['GET', 'POST'];
      assert.ok(methods.includes(route.method), `${route.method} ${route.path} is not expected`);
    }
  });

  for (const hostHeader of ['attacker.example:PORT', '127.0.0.1.nip.io:PORT', 'localhost:1', undefined]) {
    test(`every route refuses Host ${hostHeader ?? '(missing)'}`, async () => {
      for (const route of harness.server.routes) {
        const answer = await call(route, {
          Host: hostHeader?.replace('PORT', String(port)),
          Authorization: bearer(),
          Origin: origin,
        });
        assert.ok([400, 403].includes(answer.status), `${route.method} ${route.path}: ${answer.status}`);
      }
    });
  }

  for (const badOrigin of [
    'https://evil.example',
    'null',
    'http://127.0.0.1:1',
    `http://attacker.example:PORT`,
  ]) {
    test(`every route refuses Origin ${badOrigin}`, async () => {
      for (const route of harness.server.routes) {
        const answer = await call(route, {
          Authorization: bearer(),
          Origin: badOrigin.replace('PORT', String(port)),
        });
        assert.equal(answer.status, 403, `${route.method} ${route.path}`);
        assert.doesNotMatch(answer.text, /access-control-allow-origin/i);
      }
    });
  }

  test('every token route refuses no token, a wrong token and a token in the query string', async () => {
    for (const route of harness.server.routes.filter((candidate) => candidate.access === 'token')) {
      const name = `${route.method} ${route.path}`;
      const upgradeHeaders = route.upgrade
        ? {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          }
        : {};
      const none = await call(route, { Origin: origin, ...upgradeHeaders });
      assert.equal(none.status, 401, `${name} without a token`);
      const wrong = await call(route, {
        Origin: origin,
        Authorization: `Bearer ${'0'.repeat(64)}`,
        ...upgradeHeaders,
      });
      assert.equal(wrong.status, 401, `${name} with a wrong token`);
      const query = await call(
        route,
        { Origin: origin, ...upgradeHeaders },
        { query: `?token=${harness.server.token}` },
      );
      assert.equal(query.status, 401, `${name} with the token in the query`);
      const both = await call(
        route,
        { Origin: origin, Authorization: bearer(), ...upgradeHeaders },
        { query: `?access_token=${harness.server.token}` },
      );
      assert.equal(both.status, 401, `${name} with a token in the query besides the header`);
    }
  });

  test('every state-changing route refuses a request without Origin, even with the right token', async () => {
    const stateChanging = harness.server.routes.filter(
      (candidate) => candidate.method !== 'GET' && !candidate.programmatic,
    );
    for (const route of stateChanging) {
      const answer = await call(route, { Authorization: bearer() });
      assert.equal(answer.status, 403, `${route.method} ${route.path}`);
    }
  });

  test('only MCP, which programs call, may omit Origin, and only with the token in the header', async () => {
    const programmatic = harness.server.routes.filter((route) => route.programmatic);
    assert.deepEqual(programmatic.map((route) => `${route.method} ${route.path}`).sort(), [
      'DELETE /mcp',
      'GET /mcp',
      'POST /mcp',
    ]);
    for (const route of programmatic) {
      assert.equal((await call(route, {})).status, 401, `${route.method} ${route.path} without the token`);
      const foreign = await call(route, { Authorization: bearer(), Origin: 'http://evil.example' });
      assert.equal(foreign.status, 403, `${route.method} ${route.path} from a foreign Origin`);
    }
  });

  test('with the token and an allowed Origin every route gets past the checks', async () => {
    for (const route of harness.server.routes.filter((candidate) => !candidate.upgrade)) {
      const answer = await call(route, { Authorization: bearer(), Origin: origin });
      assert.ok(![401, 403].includes(answer.status), `${route.method} ${route.path}: ${answer.status}`);
    }
  });

  test('unknown paths need the token too, so probing without it tells nothing', async () => {
    const answer = await rawRequest(
      port,
      `GET /api/secret-thing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(answer.status, 401);
    const known = await rawRequest(
      port,
      `GET /api/secret-thing HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${bearer()}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(known.status, 404);
  });
});

describe('WebSocket upgrade', () => {
  const token = () => harness.server.token;
  const cases: Array<[string, () => Record<string, string | undefined>]> = [
    ['no token', () => ({ Origin: origin, 'Sec-WebSocket-Protocol': 'ai-collab.v1' })],
    ['a wrong bearer token', () => ({ Origin: origin, Authorization: `Bearer ${'f'.repeat(64)}` })],
    [
      'a wrong subprotocol token',
      () => ({ Origin: origin, 'Sec-WebSocket-Protocol': `ai-collab.v1, ai-collab.token.${'e'.repeat(64)}` }),
    ],
    [
      'the right token from a foreign Origin',
      () => ({ Origin: 'https://evil.example', Authorization: `Bearer ${token()}` }),
    ],
    ['the right token with Origin: null', () => ({ Origin: 'null', Authorization: `Bearer ${token()}` })],
    ['the right token without Origin', () => ({ Authorization: `Bearer ${token()}` })],
    [
      'a foreign Host',
      () => ({ Host: `attacker.example:${port}`, Origin: origin, Authorization: `Bearer ${token()}` }),
    ],
    [
      'a DNS-rebinding Host',
      () => ({
        Host: `127.0.0.1.nip.io:${port}`,
        Origin: `http://127.0.0.1.nip.io:${port}`,
        Authorization: `Bearer ${token()}`,
      }),
    ],
    [
      'a right and a wrong token together',
      () => ({
        Origin: origin,
        Authorization: `Bearer ${token()}`,
        'Sec-WebSocket-Protocol': `ai-collab.v1, ai-collab.token.${'e'.repeat(64)}`,
      }),
    ],
  ];
  for (const [name, headers] of cases) {
    test(`refuses ${name} before any 101`, async () => {
      const answer = await rawRequest(port, upgradeRequest(port, headers()));
      assert.ok([401, 403].includes(answer.status), `${name}: ${answer.text.split('\r\n')[0]}`);
      assert.doesNotMatch(answer.text, /^HTTP\/1\.1 101/);
    });
  }

  test('refuses the token only in the query string', async () => {
    const answer = await rawRequest(
      port,
      upgradeRequest(port, { Origin: origin }, `/api/stream?token=${harness.server.token}`),
    );
    assert.equal(answer.status, 401);
  });

  test('refuses upgrades on any other path', async () => {
    const answer = await rawRequest(
      port,
      upgradeRequest(port, { Origin: origin, Authorization: bearer() }, '/api/runs'),
    );
    assert.equal(answer.status, 404);
  });

  for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
    test(`upgrades with the bearer token and the server's Origin via ${host}`, async () => {
      const answer = await rawRequest(
        port,
        upgradeRequest(port, {
          Host: `${host}:${port}`,
          Origin: `http://${host}:${port}`,
          Authorization: bearer(),
        }),
      );
      assert.equal(answer.status, 101);
    });
  }

  test('upgrades with the token in a subprotocol and echoes only the protocol version', async () => {
    const answer = await rawRequest(
      port,
      upgradeRequest(port, {
        Origin: origin,
        'Sec-WebSocket-Protocol': `ai-collab.v1, ai-collab.token.${harness.server.token}`,
      }),
    );
    assert.equal(answer.status, 101);
    assert.match(answer.text, /sec-websocket-protocol: ai-collab\.v1\r\n/i);
    assert.ok(!answer.text.includes(harness.server.token), 'the token is never echoed');
  });

  test('caps connections: past the limit an upgrade gets 503, not 101', async () => {
    const open: WebSocket[] = [];
    for (let index = 0; index < 3; index++) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/stream`, {
        origin,
        headers: { authorization: bearer() },
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      open.push(socket);
    }
    const answer = await rawRequest(port, upgradeRequest(port, { Origin: origin, Authorization: bearer() }));
    assert.equal(answer.status, 503);
    for (const socket of open) socket.close();
    // The next tests need the slots back: wait until the server has let go of these connections.
    await waitFor(
      async () => /^ai_collab_ws_connections 0$/m.test(await harness.server.metricsText()),
      'the server to release the closed connections',
    );
  });

  test('closes a client that sends a frame over the limit with 1009', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/stream`, {
      origin,
      headers: { authorization: bearer() },
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(100 * 1024));
    assert.equal(await closed, 1009);
  });
});

describe('bodies and CORS', () => {
  test('a 10 MB body is refused with 413 at once, before the client has sent it', async () => {
    // Only the head and the first KiB are ever sent: an answer proves the server did not wait for the rest.
    const head = [
      `POST /api/runs/${runId}/approve HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Authorization: ${bearer()}`,
      `Origin: ${origin}`,
      'Content-Type: application/json',
      `Content-Length: ${10 * 1024 * 1024}`,
    ];
    const answer = await rawRequest(port, `${head.join('\r\n')}\r\n\r\n${'x'.repeat(1024)}`, 60_000);
    assert.equal(answer.status, 413, answer.text.split('\r\n')[0]);
  });

  test('JSON nested 10,000 deep and unexpected fields are refused without harm', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const body of [deep, '{"reason":"ok","extra":1}', '{"__proto__":{"polluted":1}}']) {
      const response = await fetch(`${origin}/api/runs/${runId}/reject`, {
        method: 'POST',
        headers: { authorization: bearer(), origin, 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400, body.slice(0, 30));
    }
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });

  test('a body that is not JSON is refused with 415', async () => {
    const response = await fetch(`${origin}/api/runs/${runId}/pause`, {
      method: 'POST',
      headers: { authorization: bearer(), origin, 'content-type': 'text/plain' },
      body: 'by=me',
    });
    assert.equal(response.status, 415);
  });

  test('no CORS is granted: preflights are refused and nothing carries Access-Control-Allow-Origin', async () => {
    const preflight = await fetch(`${origin}/api/runs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const allowed = await fetch(`${origin}/api/runs`, { headers: { authorization: bearer(), origin } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), null);
    assert.match(allowed.headers.get('vary') ?? '', /origin/i);
  });
});

describe('token and server file', () => {
  test('server.json is 0600 with {url, port, pid, token}; the token is 256 bits and new on every start', async () => {
    const stateDir = tempDir('ai-collab-serverfile-');
    const tokens = new Set<string>();
    for (let index = 0; index < 20; index++) {
      const server = await startServer({
        engine: harness.engine,
        store: harness.store,
        stateDir,
        clock: systemClock,
        logger: silentLogger,
        agentCatalog: agentCatalogOf([]),
        environment: {},
      });
      const file = readServerFile(stateDir);
      assert.deepEqual(file, { url: server.url, port: server.port, pid: process.pid, token: server.token });
      assert.equal(statSync(server.serverFile ?? '').mode & 0o777, 0o600);
      assert.equal(statSync(stateDir).mode & 0o777, 0o700);
      assert.match(server.token, /^[0-9a-f]{64}$/);
      tokens.add(server.token);
      await server.close();
      assert.equal(readServerFile(stateDir), undefined, 'removed on close');
    }
    assert.equal(tokens.size, 20);
  });

  test('listens on 127.0.0.1 by default and refuses another address without the explicit flag', async () => {
    const address = harness.server.url;
    assert.match(address, /^http:\/\/127\.0\.0\.1:\d+$/);
    await assert.rejects(
      startServer({
        engine: harness.engine,
        store: harness.store,
        stateDir: tempDir(),
        clock: systemClock,
        logger: silentLogger,
        agentCatalog: agentCatalogOf([]),
        host: '0.0.0.0',
      }),
      /refusing to listen on 0\.0\.0\.0/,
    );
  });

  test("a one-time sign-in code yields the token once, only from the server's own Origin", async () => {
    const code = new URL(harness.server.loginUrl()).hash.replace('#login=', '');
    const exchange = (headers: Record<string, string>) =>
      fetch(`${origin}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ code }),
      });
    assert.equal((await exchange({ origin: 'https://evil.example' })).status, 403);
    assert.equal((await exchange({})).status, 403, 'missing Origin fails closed');
    const first = await exchange({ origin });
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { token: harness.server.token });
    assert.equal((await exchange({ origin })).status, 401, 'the code is used up');
  });
});
