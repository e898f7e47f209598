/**
 * One run as the dashboard knows it: the snapshot, then every delta applied with the engine's own
 * reducer. A delta that does not continue the last seq is never applied: the model asks for a resync.
 */

import type { RunState } from '../../../src/engine/run-state.js';
import type { LiveChunk, WireEvent } from '../../../src/server/stream/stream-protocol.js';
import { applyEvents } from './apply-events.js';
import { Observable } from './observable.js';

/** Live output kept per step in the browser. */
const maxLiveChars = 200_000;

export class RunModel extends Observable {
  readonly runId: string;
  state: RunState | undefined;
  /** Live output of each step's current attempt. */
  readonly live = new Map<string, { attempt: number; text: string }>();
  readonly #eventListeners = new Set<(events: readonly WireEvent[]) => void>();
  /** Deltas received and applied, for the bytes-per-change readout. */
  eventsApplied = 0;

  constructor(runId: string) {
    super();
    this.runId = runId;
  }

  get lastSeq(): number | undefined {
    return this.state?.lastSeq;
  }

  applySnapshot(state: RunState): void {
    this.state = state;
    this.changed();
  }

  /** Applies consecutive events; false when they do not continue this run's seq (the caller resyncs). */
  applyEvents(events: readonly WireEvent[]): boolean {
    if (!this.state) return false;
    const fresh = applyEvents(this.state, this.runId, events);
    if (fresh === 'gap') return false;
    if (fresh.length === 0) return true;
    for (const event of fresh) if (event.type === 'step.started') this.live.delete(event.data.stepId);
    this.eventsApplied += fresh.length;
    for (const listener of this.#eventListeners) listener(fresh);
    this.changed();
    return true;
  }

  appendLive(chunks: readonly LiveChunk[]): void {
    for (const chunk of chunks) {
      const current = this.live.get(chunk.stepId);
      const base = current && current.attempt === chunk.attempt ? current.text : '';
      const text = base + chunk.text;
      this.live.set(chunk.stepId, {
        attempt: chunk.attempt,
        text: text.length > maxLiveChars ? text.slice(-maxLiveChars) : text,
      });
    }
    this.changed();
  }

  onEvents(listener: (events: readonly WireEvent[]) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }
}
