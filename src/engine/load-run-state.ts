/** A run's state rebuilt from its log: what `resume`, `status` and every front end start from. */
import type { EventStore } from '../store/event-store.js';
import { InputError } from '../support/errors.js';
import { type EventDecoder, replayLog } from './decode-events.js';
import type { RunState } from './run-state.js';

export function loadRunState(
  store: Pick<EventStore, 'readEvents'>,
  runId: string,
  decoder: EventDecoder,
): RunState {
  const state = replayLog(decoder.decode(store.readEvents(runId), runId));
  if (!state) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
  return state;
}
