/**
 * What a stream client needs of its hub, apart from the hub: its dependencies, limits and shared frames.
 * The hub creates clients and a client talks back to the hub only through this port, so the two modules
 * do not import each other.
 */
import type { RunEvent } from '../../engine/events.js';
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../support/logger.js';
import type { Redactor } from '../security/redact.js';
import type { FeedRegistry } from './feed-registry.js';
import type { RunFeed } from './run-feed.js';
import type { RunsWatcher } from './runs-watcher.js';
import type { LiveChunk, ServerMessage, WireEvent } from './stream-protocol.js';

export interface StreamMetrics {
  connections(count: number): void;
  sent(bytes: number): void;
  cutOff(reason: 'slow' | 'dead' | 'protocol'): void;
}

export interface HubDeps {
  feeds: FeedRegistry;
  watcher: RunsWatcher;
  redactor: Redactor;
  clock: Clock;
  logger: Logger;
  metrics: StreamMetrics;
  version: string;
}

export interface HubLimits {
  maxFrameBytes: number;
  maxConnections: number;
  maxBufferedBytes: number;
  maxSubscriptions: number;
  heartbeatMs: number;
}

/** The hub as its clients see it: frames are serialized once and shared by every subscriber. */
export interface ClientHub {
  readonly deps: HubDeps;
  encode(message: ServerMessage): Buffer;
  eventsFrame(feed: RunFeed, events: readonly RunEvent[]): Buffer;
  liveFrame(feed: RunFeed, chunks: readonly LiveChunk[]): Buffer;
  snapshotFrame(feed: RunFeed): Buffer;
}

/** A run event as the wire carries it: the run is named once per frame, not per event. */
export function stripRunId(event: RunEvent): WireEvent {
  const { runId: _runId, ...rest } = event;
  return rest as WireEvent;
}
