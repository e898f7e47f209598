/**
 * The abort signal of one HTTP request: it fires when the caller's signal does, or when the endpoint has
 * been silent for `idleMs` (no headers, or no bytes in the stream). `touch()` on every sign of life.
 */
import type { Clock } from '../../support/clock.js';

export class RequestWatchdog {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #forward = (): void => this.#controller.abort();
  #cancelTimer: () => void = () => undefined;
  #idle = false;

  constructor(parent: AbortSignal, clock: Clock, idleMs: number) {
    this.#parent = parent;
    this.#clock = clock;
    this.#idleMs = idleMs;
    parent.addEventListener('abort', this.#forward, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the request was given up for silence rather than aborted by the caller. */
  get idle(): boolean {
    return this.#idle;
  }

  touch(): void {
    this.#cancelTimer();
    this.#cancelTimer = this.#clock.setTimer(this.#idleMs, () => {
      this.#idle = true;
      this.#controller.abort();
    });
  }

  dispose(): void {
    this.#cancelTimer();
    this.#parent.removeEventListener('abort', this.#forward);
  }
}
