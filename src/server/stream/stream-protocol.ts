/**
 * The messages of the dashboard stream (`/api/stream`), shared by the server and the browser. Free of Node
 * APIs: the web app imports it. Events travel without their `runId` (the frame names the run once).
 */
import type { RunEvent } from '../../engine/events.js';
import type { RunState, RunStatus, StepStatus } from '../../engine/run-state.js';

/** Protocol version offered as a WebSocket subprotocol; the token rides in a second subprotocol. */
export const streamSubprotocol = 'ai-collab.v1';
export const tokenSubprotocolPrefix = 'ai-collab.token.';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A run event on the wire: the run's id is on the frame. */
export type WireEvent = DistributiveOmit<RunEvent, 'runId'>;

/** One line of the runs list. */
export interface RunSummary {
  runId: string;
  name: string;
  workspace: string;
  status: RunStatus | string;
  stepCount: number;
  createdAt: number;
  updatedAt: number;
  /** When it first began running (after any approval wait); null until then. */
  startedAt: number | null;
  finishedAt: number | null;
  lastSeq: number;
  /** Its work was applied or discarded after it ended (applied wins); absent while neither. */
  landing?: 'applied' | 'discarded';
  /** Step counts by status, when the server follows the run. */
  counts?: Partial<Record<StepStatus, number>>;
}

/** A piece of a step's live output, throttled and redacted by the server. */
export interface LiveChunk {
  stepId: string;
  attempt: number;
  text: string;
}

export type ClientMessage =
  | { type: 'subscribe'; runId: string; afterSeq?: number }
  | { type: 'unsubscribe'; runId: string }
  | { type: 'subscribe-runs' }
  | { type: 'unsubscribe-runs' };

export type ServerMessage =
  | { type: 'hello'; version: string; heartbeatMs: number }
  /** The run as of `seq`; the events that follow start at `seq + 1`. */
  | { type: 'snapshot'; runId: string; seq: number; state: RunState }
  /** Consecutive events of one run, in order, continuing the client's last seq. */
  | { type: 'events'; runId: string; events: WireEvent[] }
  | { type: 'live'; runId: string; chunks: LiveChunk[] }
  | { type: 'runs'; runs: RunSummary[] }
  | { type: 'run-updated'; run: RunSummary }
  | { type: 'error'; code: string; message: string; runId?: string };

/**
 * Close codes the server sends. A client that falls behind by more than the buffered-bytes cap is cut off
 * without a close frame (the frame would wait behind the backlog): it sees 1006 and reconnects with its
 * last seq.
 */
export const closeCodes = {
  /** The client broke the protocol (bad messages, too many subscriptions). */
  protocol: 1008,
  /** The server is shutting down. */
  goingAway: 1001,
} as const;
