/**
 * The server's event stream (`/api/stream`) over the `ws` package: the token rides in a subprotocol and
 * the Origin names the server, as the server requires of upgrades. On every (re)connect it asks for the
 * runs list and for each followed run from the last seq it holds, so nothing is missed or applied twice;
 * reconnects back off with full jitter and look up the server again (a restarted server has a new port).
 */
import WebSocket from 'ws';
import { fullJitterDelay } from '../supervisor/restart-policy.js';
import type { ServerInfo } from '../supervisor/server-info.js';
import { type Clock, systemClock } from '../support/clock.js';
import { errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { ServerMessage } from './api-types.js';

export const streamSubprotocol = 'ai-collab.v1';
export const tokenSubprotocolPrefix = 'ai-collab.token.';

export type ClientMessage =
  | { type: 'subscribe'; runId: string; afterSeq?: number }
  | { type: 'unsubscribe'; runId: string }
  | { type: 'subscribe-runs' };

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StreamHandlers {
  message(message: ServerMessage): void;
  state(state: ConnectionState): void;
}

export interface StreamDeps {
  /** The server to connect to; awaited on every attempt. */
  server: () => Promise<ServerInfo>;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
}

export class StreamConnection {
  readonly #deps: StreamDeps;
  readonly #handlers: StreamHandlers;
  readonly #clock: Clock;
  /** Run id → the seq the model holds (undefined: it needs a snapshot). */
  readonly #followed = new Map<string, () => number | undefined>();
  #socket: WebSocket | undefined;
  #failures = 0;
  #closed = false;
  #cancelRetry: () => void = () => undefined;

  constructor(deps: StreamDeps, handlers: StreamHandlers) {
    this.#deps = deps;
    this.#handlers = handlers;
    this.#clock = deps.clock ?? systemClock;
  }

  start(): void {
    void this.#connect();
  }

  follow(runId: string, lastSeq: () => number | undefined): void {
    if (this.#followed.has(runId)) return;
    this.#followed.set(runId, lastSeq);
    this.#subscribe(runId, lastSeq());
  }

  unfollow(runId: string): void {
    if (this.#followed.delete(runId)) this.#send({ type: 'unsubscribe', runId });
  }

  get followed(): ReadonlySet<string> {
    return new Set(this.#followed.keys());
  }

  /** Asks again from the seq held: the server answers with the missing events or a snapshot. */
  resync(runId: string): void {
    const lastSeq = this.#followed.get(runId);
    if (lastSeq) this.#subscribe(runId, lastSeq());
  }

  /** Drops the connection and connects again at once (the server was restarted). */
  reconnect(): void {
    this.#failures = 0;
    this.#cancelRetry();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.terminate();
    if (!this.#closed) void this.#connect();
  }

  close(): void {
    this.#closed = true;
    this.#cancelRetry();
    this.#socket?.close(1000, 'extension deactivated');
    this.#socket = undefined;
    this.#handlers.state('closed');
  }

  #subscribe(runId: string, afterSeq: number | undefined): void {
    this.#send({ type: 'subscribe', runId, ...(afterSeq !== undefined && { afterSeq }) });
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  async #connect(): Promise<void> {
    this.#handlers.state(this.#failures === 0 ? 'connecting' : 'reconnecting');
    let server: ServerInfo;
    try {
      server = await this.#deps.server();
    } catch (error) {
      this.#deps.logger.debug('stream: no server yet', { reason: errorMessage(error) });
      this.#retryLater();
      return;
    }
    if (this.#closed) return;
    const url = `${server.url.replace(/^http/, 'ws')}/api/stream`;
    const socket = new WebSocket(url, [streamSubprotocol, `${tokenSubprotocolPrefix}${server.token}`], {
      origin: server.url,
      handshakeTimeout: 10_000,
      followRedirects: false,
    });
    this.#socket = socket;
    socket.on('open', () => {
      this.#failures = 0;
      this.#handlers.state('open');
      this.#send({ type: 'subscribe-runs' });
      for (const [runId, lastSeq] of this.#followed) this.#subscribe(runId, lastSeq());
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        this.#handlers.message(JSON.parse(data.toString()) as ServerMessage);
      } catch (error) {
        this.#deps.logger.warn('stream: unreadable message', { reason: errorMessage(error) });
      }
    });
    socket.on('error', (error) => this.#deps.logger.debug('stream error', { reason: error.message }));
    socket.on('close', (code) => {
      if (this.#socket !== socket || this.#closed) return;
      this.#socket = undefined;
      this.#deps.logger.debug('stream closed', { code });
      this.#retryLater();
    });
  }

  #retryLater(): void {
    if (this.#closed) return;
    this.#failures++;
    this.#handlers.state('reconnecting');
    const delay = fullJitterDelay(
      this.#failures,
      { initialMs: 250, maxMs: 10_000 },
      this.#deps.random ?? Math.random,
    );
    this.#cancelRetry = this.#clock.setTimer(delay, () => {
      void this.#connect();
    });
  }
}
