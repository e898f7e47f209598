/**
 * The one place stored events become `RunEvent`s, for the engine, the server's feeds and its read routes.
 * The data of a known type is parsed with that type's schema (`event-schemas.ts`), never cast. Data that
 * does not parse (a log edited by hand or damaged) stops the reader with a `CorruptEventError` naming the
 * event and the field: skipping it would show and resume a run whose state the log does not support, and
 * nothing is changed, so restoring the file from a backup loses nothing.
 * One policy for a type this version does not know (a newer version wrote it): the event keeps its place in
 * the sequence as an `UnknownEvent` (so seqs stay gap-free and a page of events never stops short of it),
 * it changes nothing in the projection, and the decoder warns once per run and type.
 */
import type { z } from 'zod';
import { OrchestratorError } from '../support/errors.js';
import { formatPath, type PathSegment } from '../support/json-path.js';
import type { Logger } from '../support/logger.js';
import { type StoredEventSchema, storedEventSchemaOf } from './event-schemas.js';
import type { RunEvent } from './events.js';
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

/** A stored event of a known type whose data is not what its type says (the CLI exits 2 on it). */
export class CorruptEventError extends OrchestratorError {
  override readonly name = 'CorruptEventError';

  constructor(
    where: { runId: string; seq: number; type: string; source: string | undefined },
    error: z.ZodError,
  ) {
    // The first problem is enough to find the event and the field; the path starts at the event (`data…`).
    const issue = error.issues[0];
    const field = formatPath(issue?.path.filter((key): key is PathSegment => typeof key !== 'symbol') ?? []);
    const file = where.source === undefined ? '' : ` in ${where.source}`;
    super(
      'STORE_CORRUPT',
      `run ${where.runId}: event ${where.seq} (${where.type})${file} is not a valid ${where.type}: ${field}: ${issue?.message ?? error.message}. The log was edited or damaged; nothing was changed: restore the file from a backup`,
      { details: { ...where, field } },
    );
  }
}

export class EventDecoder {
  readonly #logger: Logger;
  /** The store's file, named when an event of it cannot be decoded. */
  readonly #source: string | undefined;
  /** `runId type` pairs already warned about: one warning each, however often the log is read. */
  readonly #warned = new Set<string>();

  constructor(logger: Logger, source?: string) {
    this.#logger = logger;
    this.#source = source;
  }

  *decode(events: Iterable<StoredEventLike>, runId: string): Generator<LoggedEvent> {
    for (const event of events) yield this.decodeOne(event, runId);
  }

  decodeOne(event: StoredEventLike, runId: string): LoggedEvent {
    const { type, seq, at, data } = event;
    const schema = storedEventSchemaOf.get(type);
    if (schema) return this.#parse(schema, { type, runId, seq, at, data });
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

  #parse(
    schema: StoredEventSchema,
    stored: { type: string; runId: string; seq: number; at: number; data: unknown },
  ): RunEvent {
    const parsed = schema.safeParse(stored);
    if (parsed.success) return parsed.data;
    const { runId, seq, type } = stored;
    throw new CorruptEventError({ runId, seq, type, source: this.#source }, parsed.error);
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
