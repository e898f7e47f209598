/**
 * One attempt's "waiting for a worker that runs <agent>" state, in the run's log for as long as the
 * attempt is in flight: it waits whenever no live worker offers its agent (at submit, or later: the only
 * such worker died while the job was queued, or while it ran and the job is re-queued after the stall),
 * and stops waiting when a worker takes the job or one offering the agent is live again.
 */
import type { RemoteAttemptFact } from '../agents/agent.js';
import type { WorkerPresence } from './worker-presence.js';

export interface WaitReport {
  fact(fact: RemoteAttemptFact): void;
  /** A live notice for the terminal's stream. */
  warn(message: string): void;
}

export class WorkerWait {
  readonly #presence: WorkerPresence;
  readonly #agent: string;
  readonly #report: WaitReport;
  #waiting = false;
  #over = false;
  /** Registry reads begun before the last take: they may not know the worker that took the job yet. */
  #readsBeforeTake = 0;
  #unwatch: (() => void) | undefined;

  constructor(presence: WorkerPresence, agent: string, report: WaitReport) {
    this.#presence = presence;
    this.#agent = agent;
    this.#report = report;
  }

  /** The job is in its queue: watch whether a live worker offers the agent until the attempt ends. */
  start(): void {
    if (this.#over || this.#unwatch) return;
    this.#unwatch = this.#presence.watch(this.#agent, (offered, reading) => this.#read(offered, reading));
  }

  /** A worker took the job (it started it, or reported progress). */
  taken(): void {
    this.#readsBeforeTake = this.#presence.reads;
    this.#stopWaiting();
  }

  /** The attempt is over, however it ended. */
  end(): void {
    this.#stopWaiting();
    this.#over = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  #read(offered: boolean, reading: number): void {
    if (this.#over || reading <= this.#readsBeforeTake) return;
    if (offered) this.#stopWaiting();
    if (offered || this.#waiting) return;
    this.#waiting = true;
    const reason = `waiting for a worker that runs ${this.#agent}`;
    this.#report.fact({ type: 'waiting', reason });
    this.#report.warn(reason);
  }

  #stopWaiting(): void {
    if (!this.#waiting || this.#over) return;
    this.#waiting = false;
    this.#report.fact({ type: 'waiting-ended' });
  }
}
