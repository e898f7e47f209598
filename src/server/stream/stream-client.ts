/**
 * One dashboard connection: its subscriptions, the last seq it was sent per run, and backpressure. A
 * client that reconnects names its last seq and gets exactly the events it missed, or a snapshot.
 */
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { RunEvent } from '../../engine/events.js';
import { type ClientHub, type HubLimits, stripRunId } from './hub-port.js';
import type { FeedListener, RunFeed } from './run-feed.js';
import type { LiveChunk, ServerMessage } from './stream-protocol.js';
import { closeCodes } from './stream-protocol.js';

const runId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/);
const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    runId,
    afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), runId }),
  z.strictObject({ type: z.literal('subscribe-runs') }),
  z.strictObject({ type: z.literal('unsubscribe-runs') }),
]);

/** Messages a client may send per second before it is treated as broken. */
const maxMessagesPerSecond = 50;
/** Events per frame when replaying a backlog, so no single frame is huge. */
const replayFrameEvents = 500;

export class StreamClient implements FeedListener {
  readonly #ws: WebSocket;
  readonly #hub: ClientHub;
  readonly #limits: HubLimits;
  readonly #subscriptions = new Map<string, { feed: RunFeed; sentSeq: number }>();
  #followsRuns = false;
  #alive = true;
  #closed = false;
  #windowStart = 0;
  #windowCount = 0;

  constructor(ws: WebSocket, hub: ClientHub, limits: HubLimits) {
    this.#ws = ws;
    this.#hub = hub;
    this.#limits = limits;
    ws.on('pong', () => {
      this.#alive = true;
    });
    ws.on('message', (data, isBinary) => this.#receive(data.toString(), isBinary));
    ws.on('error', (error) => hub.deps.logger.debug('stream client error', { error }));
  }

  get followsRuns(): boolean {
    return this.#followsRuns;
  }

  events(feed: RunFeed, events: readonly RunEvent[]): void {
    const subscription = this.#subscriptions.get(feed.runId);
    const first = events[0];
    const last = events[events.length - 1];
    if (!subscription || !first || !last || last.seq <= subscription.sentSeq) return;
    if (first.seq !== subscription.sentSeq + 1) {
      // Never send a gap: start this client over from a snapshot instead.
      this.#sendSnapshot(feed, subscription);
      return;
    }
    subscription.sentSeq = last.seq;
    this.send(this.#hub.eventsFrame(feed, events));
  }

  live(feed: RunFeed, chunks: readonly LiveChunk[]): void {
    if (this.#subscriptions.has(feed.runId)) this.send(this.#hub.liveFrame(feed, chunks));
  }

  sendMessage(message: ServerMessage): void {
    this.send(this.#hub.encode(message));
  }

  /** Queues a frame, or cuts the client off if its backlog would pass the cap. */
  send(frame: Buffer): void {
    if (this.#closed) return;
    if (this.#ws.bufferedAmount + frame.length > this.#limits.maxBufferedBytes) {
      this.#hub.deps.metrics.cutOff('slow');
      this.#terminate();
      return;
    }
    this.#hub.deps.metrics.sent(frame.length);
    this.#ws.send(frame, { binary: false });
  }

  heartbeat(): void {
    if (!this.#alive) {
      this.#hub.deps.metrics.cutOff('dead');
      this.#terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  close(code: number, reason: string): void {
    this.dispose();
    this.#ws.close(code, reason);
  }

  dispose(): void {
    this.#closed = true;
    for (const { feed } of this.#subscriptions.values()) feed.removeListener(this);
    this.#subscriptions.clear();
    this.#followsRuns = false;
  }

  #terminate(): void {
    this.dispose();
    this.#ws.terminate();
  }

  #receive(text: string, isBinary: boolean): void {
    if (this.#closed) return;
    const message = this.#parse(text, isBinary);
    if (typeof message === 'string') {
      this.#protocolError(message);
      return;
    }
    switch (message.type) {
      case 'subscribe':
        this.#subscribe(message.runId, message.afterSeq);
        break;
      case 'unsubscribe':
        this.#unsubscribe(message.runId);
        break;
      case 'subscribe-runs':
        this.#followsRuns = true;
        this.sendMessage({ type: 'runs', runs: this.#hub.deps.watcher.list() });
        break;
      case 'unsubscribe-runs':
        this.#followsRuns = false;
        break;
    }
  }

  /** The message, or why the client is to be dropped. */
  #parse(text: string, isBinary: boolean): z.infer<typeof clientMessage> | string {
    const now = this.#hub.deps.clock.now();
    if (now - this.#windowStart >= 1_000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    if (++this.#windowCount > maxMessagesPerSecond) return 'too many messages';
    if (isBinary) return 'binary messages are not part of the protocol';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return 'messages are JSON objects';
    }
    const result = clientMessage.safeParse(json);
    return result.success ? result.data : 'unknown or malformed message';
  }

  #subscribe(runId: string, afterSeq: number | undefined): void {
    this.#unsubscribe(runId);
    if (this.#subscriptions.size >= this.#limits.maxSubscriptions) {
      this.sendMessage({
        type: 'error',
        code: 'TOO_MANY_SUBSCRIPTIONS',
        runId,
        message: `one connection follows at most ${this.#limits.maxSubscriptions} runs; unsubscribe from one first`,
      });
      return;
    }
    const feed = this.#hub.deps.feeds.get(runId);
    if (!feed) {
      this.sendMessage({ type: 'error', code: 'RUN_NOT_FOUND', runId, message: `no run ${runId}` });
      return;
    }
    feed.addListener(this);
    const subscription = { feed, sentSeq: 0 };
    this.#subscriptions.set(runId, subscription);
    const missed = afterSeq === undefined ? undefined : feed.eventsAfter(afterSeq);
    if (missed === undefined) this.#sendSnapshot(feed, subscription);
    else {
      for (let start = 0; start < missed.length; start += replayFrameEvents) {
        const frame = this.#hub.encode({
          type: 'events',
          runId,
          events: missed.slice(start, start + replayFrameEvents).map(stripRunId),
        });
        this.send(frame);
      }
      subscription.sentSeq = feed.lastSeq;
    }
    const backlog = feed.liveBacklog();
    if (backlog.length > 0) this.send(this.#hub.liveFrame(feed, backlog));
  }

  #sendSnapshot(feed: RunFeed, subscription: { sentSeq: number }): void {
    subscription.sentSeq = feed.lastSeq;
    this.send(this.#hub.snapshotFrame(feed));
  }

  #unsubscribe(runId: string): void {
    const subscription = this.#subscriptions.get(runId);
    if (!subscription) return;
    subscription.feed.removeListener(this);
    this.#subscriptions.delete(runId);
  }

  #protocolError(message: string): void {
    this.#hub.deps.metrics.cutOff('protocol');
    this.close(closeCodes.protocol, message);
  }
}
