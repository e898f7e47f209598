/**
 * How the dashboard moves a run forward: the engine's own reducer over each delta, and only over deltas
 * that continue the run's last seq. Pure and free of the DOM, so Node tests check it against the engine.
 */
import type { RunEvent } from '../../../src/engine/events.js';
import { applyEvent } from '../../../src/engine/projection.js';
import type { RunState } from '../../../src/engine/run-state.js';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';

/** The events applied (possibly none: all already known), or `gap` when they do not continue the state. */
export function applyEvents(
  state: RunState,
  runId: string,
  events: readonly WireEvent[],
): WireEvent[] | 'gap' {
  const fresh = events.filter((event) => event.seq > state.lastSeq);
  if (fresh.length === 0) return [];
  if (fresh[0]?.seq !== state.lastSeq + 1) return 'gap';
  for (const event of fresh) applyEvent(state, { ...event, runId } as RunEvent);
  return fresh;
}
