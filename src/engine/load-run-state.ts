/** A run's state rebuilt from its log: what `resume`, `status` and every front end start from. */
import type { EventStore } from '../store/event-store.js';
import { InputError } from '../support/errors.js';
import { isRunEventType, type RunEvent } from './events.js';
import { replayEvents } from './projection.js';
import type { RunState } from './run-state.js';

export function loadRunState(store: Pick<EventStore, 'readEvents'>, runId: string): RunState {
  const state = replayEvents(mapEvents(store.readEvents(runId), runId));
  if (!state) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
  return state;
}

function* mapEvents(
  events: Iterable<{ type: string; seq: number; at: number; data: unknown }>,
  runId: string,
) {
  for (const event of events) {
    if (!isRunEventType(event.type)) {
      throw new InputError(
        'RUN_NOT_RESUMABLE',
        `run ${runId} has an event of type ${event.type} this version does not know; upgrade ai-collab`,
      );
    }
    yield { ...event, runId } as RunEvent;
  }
}
