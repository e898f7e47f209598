/**
 * The one place stored events become `RunEvent`s, for the engine, the server's feeds and its read routes.
 * One policy for a type this version does not know (a newer version wrote it): the event keeps its place in
 * the sequence as an `UnknownEvent` (so seqs stay gap-free and a page of events never stops short of it),
 * it changes nothing in the projection, and the decoder warns once per run and type.
 */
import type { Logger } from '../support/logger.js';
import { isRunEventType, type RunEvent } from './events.js';
import { applyEvent, createRunState } from './projection.js';
import type { RunState } from './run-state.js';

/** An event of a type this version does not know, shown as unknown; `data.type` is the type it was stored as. */
export interface UnknownEvent {
  type: 'unknown';
  runId: string;
  seq: number;
  at: number;
  data: { type: string };
}

export type LoggedEvent = RunEvent | UnknownEvent;

export interface StoredEventLike {
  type: string;
  seq: number;
  at: number;
  data: unknown;
}

export class EventDecoder {
  readonly #logger: Logger;
  /** `runId type` pairs already warned about: one warning each, however often the log is read. */
  readonly #warned = new Set<string>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  *decode(events: Iterable<StoredEventLike>, runId: string): Generator<LoggedEvent> {
    for (const event of events) yield this.decodeOne(event, runId);
  }

  decodeOne(event: StoredEventLike, runId: string): LoggedEvent {
    const { type, seq, at, data } = event;
    // The store holds what a recorder of this or an older version appended for this type: the type is the
    // contract for its data (DESIGN.md: events are only ever added, never changed in meaning).
    if (isRunEventType(type)) return { type, seq, at, data, runId } as RunEvent;
    const key = `${runId} ${type}`;
    if (!this.#warned.has(key)) {
      this.#warned.add(key);
      this.#logger.warn('run log has an event of a type this version does not know; shown as unknown', {
        runId,
        type,
        seq,
      });
    }
    return { type: 'unknown', runId, seq, at, data: { type } };
  }
}

export function isKnownEvent(event: LoggedEvent): event is RunEvent {
  return event.type !== 'unknown';
}

/** Folds one logged event into `state`: an unknown one only moves the state's seq past it. */
export function applyLoggedEvent(state: RunState, event: LoggedEvent): void {
  if (isKnownEvent(event)) applyEvent(state, event);
  else state.lastSeq = event.seq;
}

/** A run's state from its whole log (undefined for an empty log); the log starts with `run.created`. */
export function replayLog(events: Iterable<LoggedEvent>): RunState | undefined {
  let state: RunState | undefined;
  for (const event of events) {
    if (state) applyLoggedEvent(state, event);
    else if (event.type === 'run.created') state = createRunState(event);
    else
      throw new Error(
        `run log starts with ${event.type === 'unknown' ? event.data.type : event.type}, not run.created`,
      );
  }
  return state;
}
