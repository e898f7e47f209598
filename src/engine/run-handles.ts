/**
 * The runs executing in this process, by id, and who wants to know the moment one starts: the server's
 * feed of a run follows its handle from its first event rather than at the feed's next poll.
 */
import type { Logger } from '../support/logger.js';
import type { LivePartListener, RunEventListener } from './run-recorder.js';
import type { RunState } from './run-state.js';

/** A run executing in this process: its live state, its end, and its events as they are committed. */
export interface RunHandle {
  readonly runId: string;
  readonly state: RunState;
  readonly done: Promise<RunState>;
  subscribe(listener: RunEventListener): () => void;
  /** Live agent output of running steps (not persisted). */
  subscribeLive(listener: LivePartListener): () => void;
}

export type RunStartedListener = (runId: string) => void;

export class RunHandles {
  readonly #handles = new Map<string, RunHandle>();
  readonly #listeners = new Set<RunStartedListener>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get(runId: string): RunHandle | undefined {
    return this.#handles.get(runId);
  }

  /** Holds the handle until its run is done, and tells the listeners it started. */
  add(handle: RunHandle): void {
    this.#handles.set(handle.runId, handle);
    void handle.done
      .finally(() => {
        if (this.#handles.get(handle.runId) === handle) this.#handles.delete(handle.runId);
      })
      .catch(() => {});
    for (const listener of this.#listeners) {
      try {
        listener(handle.runId);
      } catch (error) {
        // A listener is a front end's business: its failure must not fail the start that already happened.
        this.#logger.warn('a run-started listener failed', { runId: handle.runId, error });
      }
    }
  }

  /** Calls `listener` with the id of every run that starts executing here from now on; returns the undo. */
  onStarted(listener: RunStartedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
