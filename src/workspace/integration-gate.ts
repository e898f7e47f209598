/**
 * Who works in a run's integration worktree. Steps share it while its files are the run branch's tip;
 * once the tip has moved on (a merge landed), a newcomer waits until everyone inside has left, and then
 * brings the worktree up to the tip itself, so no step ever has files changed under it and every step
 * starts on the merged work of its dependencies. Entries are taken in order, one at a time.
 */
export interface GateEntry<T> {
  /** The commit the worktree showed when the step came in. */
  startCommit: string;
  /** What the last bringing-up produced (e.g. the worktree's handle). */
  synced: T;
  /** Called once when the step's attempt ends; later calls do nothing. */
  leave(): void;
}

export class IntegrationGate<T> {
  #inside = 0;
  #shows: string | undefined;
  #synced: T | undefined;
  #waiting: Array<() => void> = [];
  #entries: Promise<unknown> = Promise.resolve();

  /**
   * `tip` reads the run branch's tip; `bringUp` makes the worktree a clean checkout of it (called only
   * when nobody is inside, also to drop what a failed step left behind).
   */
  enter(tip: () => Promise<string>, bringUp: (tip: string) => Promise<T>): Promise<GateEntry<T>> {
    const entry = this.#entries.then(() => this.#admit(tip, bringUp));
    this.#entries = entry.catch(() => undefined);
    return entry;
  }

  /** The commit the worktree's files were last brought up to or committed as (undefined before the first step). */
  showing(): string | undefined {
    return this.#shows;
  }

  /** A step inside committed what the worktree holds: its files are now that commit. */
  shows(commit: string): void {
    this.#shows = commit;
  }

  async #admit(tip: () => Promise<string>, bringUp: (tip: string) => Promise<T>): Promise<GateEntry<T>> {
    for (;;) {
      const current = await tip();
      if (this.#inside === 0) {
        this.#synced = await bringUp(current);
        this.#shows = current;
      } else if (this.#shows !== current || this.#synced === undefined) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      this.#inside++;
      let left = false;
      return {
        startCommit: current,
        synced: this.#synced,
        leave: () => {
          if (left) return;
          left = true;
          this.#inside--;
          if (this.#inside === 0) for (const wake of this.#waiting.splice(0)) wake();
        },
      };
    }
  }
}
