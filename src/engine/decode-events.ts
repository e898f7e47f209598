/** Stored events of one run as `RunEvent`s; a type this version does not know stops the read with the fix. */
import { InputError } from '../support/errors.js';
import { isRunEventType, type RunEvent } from './events.js';

export function* decodeEvents(
  events: Iterable<{ type: string; seq: number; at: number; data: unknown }>,
  runId: string,
): Generator<RunEvent> {
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
