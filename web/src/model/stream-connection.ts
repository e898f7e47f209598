/**
 * The dashboard's WebSocket: the token rides in a subprotocol (browsers cannot set headers on a
 * WebSocket), subscriptions are restored on reconnect from each run's last seq, and reconnects back off
 * with jitter so a restarted server is not stampeded.
 */
import type { ServerMessage } from '../../../src/server/stream/stream-protocol.js';
import { streamSubprotocol, tokenSubprotocolPrefix } from '../../../src/server/stream/stream-protocol.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface StreamHandlers {
  message(message: ServerMessage, bytes: number): void;
  state(state: ConnectionState): void;
}

export class StreamConnection {
  readonly #token: string;
  readonly #handlers: StreamHandlers;
  /** Run id → the seq the dashboard has (undefined: it needs a snapshot). */
  readonly #subscriptions = new Map<string, () => number | undefined>();
  #followRuns = false;
  #socket: WebSocket | undefined;
  #failures = 0;
  #closed = false;

  constructor(token: string, handlers: StreamHandlers) {
    this.#token = token;
    this.#handlers = handlers;
    this.#connect();
  }

  followRuns(): void {
    this.#followRuns = true;
    this.#send({ type: 'subscribe-runs' });
  }

  subscribe(runId: string, lastSeq: () => number | undefined): void {
    this.#subscriptions.set(runId, lastSeq);
    this.#sendSubscribe(runId, lastSeq());
  }

  /** Asks again from the seq the dashboard has: the server answers with the gap or a snapshot. */
  resync(runId: string): void {
    const lastSeq = this.#subscriptions.get(runId);
    if (lastSeq) this.#sendSubscribe(runId, lastSeq());
  }

  unsubscribe(runId: string): void {
    if (this.#subscriptions.delete(runId)) this.#send({ type: 'unsubscribe', runId });
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close();
  }

  #sendSubscribe(runId: string, afterSeq: number | undefined): void {
    this.#send({ type: 'subscribe', runId, ...(afterSeq !== undefined && { afterSeq }) });
  }

  #send(message: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #connect(): void {
    this.#handlers.state(this.#failures === 0 ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/stream`;
    const socket = new WebSocket(url, [streamSubprotocol, `${tokenSubprotocolPrefix}${this.#token}`]);
    this.#socket = socket;
    socket.onopen = () => {
      this.#failures = 0;
      this.#handlers.state('open');
      if (this.#followRuns) this.#send({ type: 'subscribe-runs' });
      for (const [runId, lastSeq] of this.#subscriptions) this.#sendSubscribe(runId, lastSeq());
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        this.#handlers.message(JSON.parse(event.data) as ServerMessage, event.data.length);
      }
    };
    socket.onclose = () => {
      if (this.#socket !== socket || this.#closed) return;
      this.#failures++;
      this.#handlers.state('reconnecting');
      const ceiling = Math.min(10_000, 250 * 2 ** Math.min(this.#failures, 6));
      setTimeout(() => this.#connect(), ceiling / 2 + Math.random() * (ceiling / 2));
    };
  }
}
