/**
 * Whoever watches every run an engine executes (the notifier): told each committed event, after its
 * commit, like any subscriber. A run that already waits for approval when it is picked up tells them its
 * request again, from the log, since that event was committed before any executor existed.
 */
import type { EventStore } from '../store/event-store.js';
import type { EventDecoder } from './decode-events.js';
import type { RunEventListener, RunRecorder } from './run-recorder.js';

export interface EngineObservers {
  /** Told every committed event of the runs this engine executes; must not throw. */
  observers?: readonly RunEventListener[];
}

export function observeRun(
  deps: EngineObservers & { store: EventStore },
  recorder: RunRecorder,
  decoder: EventDecoder,
): void {
  const observers = deps.observers ?? [];
  if (observers.length === 0) return;
  for (const observer of observers) recorder.subscribe(observer);
  const { state } = recorder;
  if (state.status !== 'awaiting_approval') return;
  let request: Parameters<RunEventListener>[0] | undefined;
  for (const event of decoder.decode(deps.store.readEvents(state.runId), state.runId)) {
    if (event.type === 'run.approval-requested') request = event;
  }
  if (request) for (const observer of observers) observer(request, state);
}
