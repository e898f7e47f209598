/**
 * When to restart a server that died: capped exponential backoff with full jitter (AWS's "full jitter":
 * a uniform delay in [0, min(cap, base·2^attempt)], which spreads restarts best), and a crash-loop
 * window that stops restarting once a server dies too often too fast.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/** `attempt` counts from 1 for the first restart. `random` returns [0, 1). */
export function fullJitterDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export class CrashWindow {
  readonly #windowMs: number;
  #crashes: number[] = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records a crash at `at` and returns the crashes within the window, this one included. */
  record(at: number): number {
    this.#crashes = [...this.#crashes.filter((crash) => at - crash < this.#windowMs), at];
    return this.#crashes.length;
  }

  reset(): void {
    this.#crashes = [];
  }
}
