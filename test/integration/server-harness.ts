/** A server over a test engine, and clients for it: WebSocket, raw sockets, HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Agent } from '../../src/agents/agent.js';
import type { StepHooks } from '../../src/engine/step-hooks.js';
import { agentCatalogOf } from '../../src/plan/agent-catalog.js';
import type { RuntimeStats } from '../../src/server/engine-port.js';
import { type RunningServer, type ServerLimits, startServer } from '../../src/server/index.js';
import type { ServerMessage } from '../../src/server/stream/stream-protocol.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type Clock, systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { createTestEngine } from '../support/test-engine.js';

export interface TestServer {
  server: RunningServer;
  engine: ReturnType<typeof createTestEngine>['engine'];
  store: SqliteStore;
  stateDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    agents?: Agent[];
    clock?: Clock;
    limits?: ServerLimits;
    environment?: NodeJS.ProcessEnv;
    stateDir?: string;
    store?: SqliteStore;
    hooks?: StepHooks;
    /** Live statistics for `/metrics` and the workers view (e.g. distributed mode's cluster). */
    stats?: RuntimeStats;
  } = {},
): Promise<TestServer> {
  // Not tempDir(): this often runs inside a before() hook, where node:test runs an after() registered
  // there as soon as the hook ends, deleting the directory under the running server.
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'ai-collab-server-'));
  const clock = options.clock ?? systemClock;
  const store = options.store ?? new SqliteStore({ path: ':memory:', clock });
  const { engine } = createTestEngine({
    agents: options.agents ?? [],
    // The engine's clock type is FakeClock in the helper's signature, but any Clock works at run time.
    clock: clock as never,
    store,
    stateDir,
    ...(options.hooks && { hooks: options.hooks }),
  });
  const server = await startServer({
    engine,
    store,
    stateDir,
    clock: systemClock,
    logger: silentLogger,
    agentCatalog: agentCatalogOf(['timer', 'shell']),
    environment: options.environment ?? {},
    ...(options.limits && { limits: options.limits }),
    ...(options.stats && { stats: options.stats }),
  });
  return {
    server,
    engine,
    store,
    stateDir,
    close: async () => {
      await server.close();
      if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** One API call with the server's token, as the dashboard makes it; the answer's status and JSON body. */
export async function callApi<T = Record<string, unknown>>(
  server: RunningServer,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.token}`,
      origin: server.url,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A WebSocket client that records every message and waits for the ones a test expects. */
export class StreamTestClient {
  readonly socket: WebSocket;
  readonly messages: ServerMessage[] = [];
  readonly opened: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(
    server: RunningServer,
    options: { headers?: Record<string, string>; protocols?: string[] } = {},
  ) {
    this.socket = new WebSocket(
      `${server.url.replace('http:', 'ws:')}/api/stream`,
      options.protocols ?? ['ai-collab.v1', `ai-collab.token.${server.token}`],
      { origin: server.url, headers: options.headers ?? {} },
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the first message (from `from` on) that matches, within `timeoutMs`. */
  async next<T extends ServerMessage>(
    match: (message: ServerMessage) => message is T,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const found = this.messages.slice(options.from ?? 0).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message in time; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

export const isType =
  <K extends ServerMessage['type']>(type: K, runId?: string) =>
  (message: ServerMessage): message is Extract<ServerMessage, { type: K }> =>
    message.type === type && (runId === undefined || !('runId' in message) || message.runId === runId);

/** Sends raw bytes and returns the answer's status (0 when the server hung up without one) and text. */
export function rawRequest(
  port: number,
  request: string,
  timeoutMs = 2_000,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
      socket.destroy();
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // A 101 keeps the connection open: the head is all a test needs.
      if (text.startsWith('HTTP/1.1 101') && text.includes('\r\n\r\n')) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(request);
  });
}

/** A WebSocket upgrade request with the given headers (Host defaults to the server's). */
export function upgradeRequest(
  port: number,
  headers: Record<string, string | undefined>,
  path = '/api/stream',
): string {
  const all: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
