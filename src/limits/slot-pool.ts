/**
 * Concurrency caps shared by every run in the process: a global cap and one per agent. Runs ask for room
 * before starting a step and are told when a slot frees up, so one run's release can start another's step.
 */

export interface SlotPoolOptions {
  /** Steps running at once across all runs; unlimited when absent. */
  global?: number;
  /** Steps running at once per agent name. */
  perAgent?: Readonly<Record<string, number>>;
}

export class SlotPool {
  readonly #global: number;
  readonly #perAgent: Readonly<Record<string, number>>;
  #inUse = 0;
  #inUseByAgent = new Map<string, number>();
  #listeners = new Set<() => void>();

  constructor(options: SlotPoolOptions = {}) {
    this.#global = options.global ?? Number.POSITIVE_INFINITY;
    this.#perAgent = options.perAgent ?? {};
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** The global cap; Infinity when unlimited. */
  get capacity(): number {
    return this.#global;
  }

  hasRoom(agent: string): boolean {
    if (this.#inUse >= this.#global) return false;
    const cap = this.#perAgent[agent];
    return cap === undefined || (this.#inUseByAgent.get(agent) ?? 0) < cap;
  }

  /** Takes a slot (callers check `hasRoom` first); the returned function gives it back, once. */
  acquire(agent: string): () => void {
    this.#inUse++;
    this.#inUseByAgent.set(agent, (this.#inUseByAgent.get(agent) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      this.#inUseByAgent.set(agent, (this.#inUseByAgent.get(agent) ?? 1) - 1);
      for (const listener of [...this.#listeners]) listener();
    };
  }

  onRelease(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
