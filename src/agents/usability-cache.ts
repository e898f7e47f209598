/**
 * Whether an agent can still run here — doctor's check: its CLI on disk, its credentials present — asked
 * again before each attempt of its steps, since a CLI can be uninstalled or a login removed while a run
 * goes on. The answer is kept for a short while so the many questions of one moment (a pre-flight over a
 * large plan, failover weighing fallbacks) cost one check; an attempt asks afresh with `refresh`.
 */
import type { Clock } from '../support/clock.js';
import type { Unavailable } from './adapter-descriptor.js';

/** doctor's usability check of one agent: why it cannot run here, or undefined when it can. */
export type UsabilityCheck = () => Unavailable | undefined;

/** How long an answer stands for questions other than an attempt's. */
export const usabilityValidityMs = 1_000;

export class UsabilityCache {
  readonly #check: UsabilityCheck;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #validityMs: number;
  #checkedAt: number | undefined;
  #answer: Unavailable | undefined;

  constructor(check: UsabilityCheck, clock: Pick<Clock, 'now'>, validityMs = usabilityValidityMs) {
    this.#check = check;
    this.#clock = clock;
    this.#validityMs = validityMs;
  }

  /** The last answer while it stands, else a fresh one. */
  current(): Unavailable | undefined {
    const checkedAt = this.#checkedAt;
    if (checkedAt !== undefined && this.#clock.now() - checkedAt < this.#validityMs) return this.#answer;
    return this.refresh();
  }

  /** Checks now (before an attempt), and keeps the answer for the questions that follow. */
  refresh(): Unavailable | undefined {
    this.#answer = this.#check();
    this.#checkedAt = this.#clock.now();
    return this.#answer;
  }
}
