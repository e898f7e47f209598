/**
 * Group commit: writes buffered during one turn of the event loop become one transaction, and whoever
 * waits for them hears right after that transaction, with its error if it failed.
 */
import type { StoreWrite } from '../event-store.js';

export class GroupCommit {
  readonly #commit: (batch: readonly StoreWrite[]) => void;
  #pending: StoreWrite[] = [];
  #scheduled: Promise<void> | undefined;
  #afterCommit: Array<(error?: unknown) => void> = [];

  /** `commit` writes a batch in one transaction, or throws. */
  constructor(commit: (batch: readonly StoreWrite[]) => void) {
    this.#commit = commit;
  }

  enqueue(write: StoreWrite): void {
    this.#pending.push(write);
    if (this.#scheduled !== undefined) return;
    this.#scheduled = new Promise<void>((resolve, reject) => {
      // setImmediate, not a microtask: every event produced in this turn of the loop joins the batch.
      setImmediate(() => {
        this.#scheduled = undefined;
        const error = this.commitNow();
        if (error === undefined) resolve();
        else reject(error);
      });
    });
    // A failed commit is reported to whoever awaits flush(); this keeps it from being "unhandled" meanwhile.
    this.#scheduled.catch(() => {});
  }

  flush(): Promise<void> {
    return this.#scheduled ?? Promise.resolve();
  }

  afterCommit(callback: (error?: unknown) => void): void {
    if (this.#pending.length === 0) callback();
    else this.#afterCommit.push(callback);
  }

  /** Commits what is pending, then tells who waits for it (with the error, if it failed); returns that error. */
  commitNow(): unknown {
    const callbacks = this.#afterCommit;
    this.#afterCommit = [];
    let failure: unknown;
    const batch = this.#pending;
    this.#pending = [];
    try {
      if (batch.length > 0) this.#commit(batch);
    } catch (error) {
      failure = error;
    }
    for (const callback of callbacks) callback(failure);
    return failure;
  }
}
