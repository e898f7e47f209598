/**
 * The WebSocket endpoint: connections (capped), subscriptions, and delivery. A frame is serialized once
 * and the same bytes go to every subscriber; a client whose unsent bytes would pass the cap is cut off
 * (it resyncs from its last seq on reconnect); one that stops answering pings is dropped.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RunEvent } from '../../engine/events.js';
import { type ClientHub, type HubDeps, type HubLimits, stripRunId } from './hub-port.js';
import type { RunFeed } from './run-feed.js';
import { StreamClient } from './stream-client.js';
import { type LiveChunk, type RunSummary, type ServerMessage, streamSubprotocol } from './stream-protocol.js';

/** Frames shared by every subscriber of a batch, keyed by the batch itself. */
type FrameCache = WeakMap<object, Buffer>;

export class StreamHub implements ClientHub {
  readonly #deps: HubDeps;
  readonly #limits: HubLimits;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<StreamClient>();
  readonly #frames: FrameCache = new WeakMap();
  readonly #snapshots = new WeakMap<RunFeed, { seq: number; frame: Buffer }>();
  #cancelHeartbeat: (() => void) | undefined;

  constructor(deps: HubDeps, limits: HubLimits) {
    this.#deps = deps;
    this.#limits = limits;
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: limits.maxFrameBytes,
      // The token rides in a second subprotocol; only the protocol version is ever echoed back.
      handleProtocols: (protocols) => (protocols.has(streamSubprotocol) ? streamSubprotocol : false),
    });
    this.#heartbeat();
  }

  get connectionCount(): number {
    return this.#clients.size;
  }

  /** Whether another connection fits under the cap (checked before the upgrade is answered). */
  hasRoom(): boolean {
    return this.#clients.size < this.#limits.maxConnections;
  }

  /** Completes an upgrade the request policy has already allowed. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const client = new StreamClient(ws, this, this.#limits);
      this.#clients.add(client);
      this.#deps.metrics.connections(this.#clients.size);
      ws.on('close', () => {
        client.dispose();
        this.#clients.delete(client);
        this.#deps.metrics.connections(this.#clients.size);
      });
      client.sendMessage({
        type: 'hello',
        version: this.#deps.version,
        heartbeatMs: this.#limits.heartbeatMs,
      });
    });
  }

  /** A run of the runs list appeared or changed. */
  runUpdated(summary: RunSummary): void {
    let frame: Buffer | undefined;
    for (const client of this.#clients) {
      if (!client.followsRuns) continue;
      frame ??= this.encode({ type: 'run-updated', run: summary });
      client.send(frame);
    }
  }

  get deps(): HubDeps {
    return this.#deps;
  }

  encode(message: ServerMessage): Buffer {
    return Buffer.from(this.#deps.redactor.serialize(message));
  }

  /** One frame per batch, shared by its subscribers. */
  eventsFrame(feed: RunFeed, events: readonly RunEvent[]): Buffer {
    let frame = this.#frames.get(events);
    if (!frame) {
      frame = this.encode({ type: 'events', runId: feed.runId, events: events.map(stripRunId) });
      this.#frames.set(events, frame);
    }
    return frame;
  }

  liveFrame(feed: RunFeed, chunks: readonly LiveChunk[]): Buffer {
    let frame = this.#frames.get(chunks);
    if (!frame) {
      frame = this.encode({ type: 'live', runId: feed.runId, chunks: [...chunks] });
      this.#frames.set(chunks, frame);
    }
    return frame;
  }

  /** The run's snapshot, serialized once per sequence number however many clients ask. */
  snapshotFrame(feed: RunFeed): Buffer {
    const cached = this.#snapshots.get(feed);
    if (cached && cached.seq === feed.lastSeq) return cached.frame;
    const frame = this.encode({ type: 'snapshot', runId: feed.runId, seq: feed.lastSeq, state: feed.state });
    this.#snapshots.set(feed, { seq: feed.lastSeq, frame });
    return frame;
  }

  /** Stops accepting, says goodbye to every client, and stops the heartbeat. */
  close(): void {
    this.#cancelHeartbeat?.();
    for (const client of this.#clients) client.close(1001, 'server shutting down');
    this.#clients.clear();
    this.#wss.close();
  }

  #heartbeat(): void {
    this.#cancelHeartbeat = this.#deps.clock.setTimer(this.#limits.heartbeatMs, () => {
      for (const client of this.#clients) client.heartbeat();
      this.#heartbeat();
    });
  }
}
