/**
 * Approval decisions as events in the run's log. Any process appends a decision (`record`), but only while
 * the run still awaits approval, so the first one in the log is the only one. The process that owns the
 * waiting run writes nothing meanwhile; it watches the run's index row for a new seq and adopts the
 * decision event into its live state (`wait`), woken at once when the decision was made in-process.
 */
import type { EventStore } from '../store/event-store.js';
import type { Clock } from '../support/clock.js';
import type { EventDecoder } from './decode-events.js';
import type { ApprovalDecisionData } from './events.js';
import { type RunRecorder, runPatchFor } from './run-recorder.js';

/** How often a run waiting for approval looks for a decision made by another process. */
const approvalPollMs = 250;

export class ApprovalLog {
  readonly #store: EventStore;
  readonly #clock: Clock;
  readonly #decoder: EventDecoder;
  /** In-process wake-ups for runs waiting on a decision (other processes are seen by polling). */
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(store: EventStore, clock: Clock, decoder: EventDecoder) {
    this.#store = store;
    this.#clock = clock;
    this.#decoder = decoder;
  }

  /** Appends the decision unless the run no longer awaits approval; true when it is the one that counts. */
  record(runId: string, data: ApprovalDecisionData): boolean {
    const at = this.#clock.now();
    const patch = runPatchFor({ type: 'run.approval-decided', runId, seq: 0, at, data }) ?? {};
    const stored = this.#store.appendWhile(
      runId,
      'awaiting_approval',
      { type: 'run.approval-decided', at, data },
      patch,
    );
    if (!stored) return false;
    for (const wake of this.#waiters.get(runId) ?? []) wake();
    return true;
  }

  /**
   * Resolves true once the decision is in the run's log (and adopted), false if the wait was stopped;
   * rejects when the log cannot be read (e.g. a damaged event), rather than throwing from a timer.
   */
  wait(recorder: RunRecorder, signal: AbortSignal): Promise<boolean> {
    const runId = recorder.state.runId;
    return new Promise((resolve, reject) => {
      let cancelTimer = (): void => {};
      const waiters = this.#waiters.get(runId) ?? new Set<() => void>();
      this.#waiters.set(runId, waiters);
      const settle = (): void => {
        cancelTimer();
        waiters.delete(check);
        if (waiters.size === 0) this.#waiters.delete(runId);
        signal.removeEventListener('abort', onAbort);
      };
      const finish = (decided: boolean): void => {
        settle();
        resolve(decided);
      };
      const check = (): void => {
        try {
          poll();
        } catch (error) {
          settle();
          reject(error);
        }
      };
      const poll = (): void => {
        cancelTimer();
        // The index row says cheaply whether anything follows (this runs every approvalPollMs, for days).
        if ((this.#store.getRun(runId)?.lastSeq ?? 0) > recorder.state.lastSeq) {
          for (const event of this.#decoder.decode(
            this.#store.readEvents(runId, recorder.state.lastSeq),
            runId,
          )) {
            recorder.adopt(event);
          }
        }
        if (recorder.state.status !== 'awaiting_approval') finish(true);
        else cancelTimer = this.#clock.setTimer(approvalPollMs, check);
      };
      const onAbort = (): void => finish(false);
      waiters.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}
