/** One-at-a-time sections per key (a repository's worktree list, a run's branch), within this process. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `section` after every earlier section of `key` has settled; its result or error is passed on. */
  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      // The map holds only keys with work queued: a long run does not grow it.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
