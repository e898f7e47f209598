/**
 * Keeps the reviewers' record up to date with what became of the work they approved, read from the event
 * log (the one source): when the process starts, the workspace's latest ended runs; afterwards every run
 * that ends — this process's own as soon as its `run.finished` is committed (`onEvent`), another process's
 * before the next review (`catchUp`). A long-lived `serve` thus learns from runs that end while it runs.
 * Each reviewed attempt counts once, however often its run's log is read (a resumed run ends again); when a
 * later event changes what became of it (the person discards a run that succeeded), the count is revised.
 * Only the runs of the latest list are remembered: one that left it (newer runs pushed it off) is never
 * listed again, so a server that runs for weeks keeps as much as the list holds, not a key per run ever.
 */
import type { LoggedEvent } from '../engine/decode-events.js';
import type { RunEvent } from '../engine/events.js';
import { errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { reviewOutcomes } from './review-outcomes.js';
import type { ReviewerReliability } from './reviewer-reliability.js';

export interface OutcomeLog {
  /** The workspace's latest runs, newest first, as the store indexes them. */
  recentRuns(): ReadonlyArray<{ runId: string; status: string; lastSeq: number }>;
  events(runId: string): Iterable<LoggedEvent>;
}

/** Only an ended run has decided whether its approved work held. */
const endedStatuses = new Set(['succeeded', 'failed', 'cancelled']);

export class OutcomeLearner {
  readonly #reliability: ReviewerReliability;
  readonly #log: OutcomeLog;
  readonly #logger: Logger;
  /**
   * Per ended run of the latest list: the last sequence number read (it is read again only when its log
   * has grown) and the reviewed attempts learned from, by step and attempt: whether their work held, as
   * last learned.
   */
  readonly #runs = new Map<string, { lastSeq: number; learned: Map<string, boolean> }>();

  constructor(reliability: ReviewerReliability, log: OutcomeLog, logger: Logger) {
    this.#reliability = reliability;
    this.#log = log;
    this.#logger = logger;
  }

  /** Learns from every ended run not read at its current length yet, oldest first; returns how many outcomes. */
  catchUp(): number {
    let learned = 0;
    const recent = [...this.#log.recentRuns()].reverse();
    for (const run of recent) {
      let known = this.#runs.get(run.runId);
      if (!endedStatuses.has(run.status) || known?.lastSeq === run.lastSeq) continue;
      known ??= { lastSeq: run.lastSeq, learned: new Map() };
      known.lastSeq = run.lastSeq;
      this.#runs.set(run.runId, known);
      for (const outcome of reviewOutcomes(this.#log.events(run.runId))) {
        const key = `${outcome.stepId}\u0000${outcome.attempt}`;
        const before = known.learned.get(key);
        if (before === outcome.held) continue;
        if (before !== undefined) this.#reliability.forgetOutcome(outcome.votes, before);
        known.learned.set(key, outcome.held);
        this.#reliability.learnOutcome(outcome.votes, outcome.held);
        learned++;
      }
    }
    const listed = new Set(recent.map((run) => run.runId));
    for (const runId of this.#runs.keys()) if (!listed.has(runId)) this.#runs.delete(runId);
    return learned;
  }

  /** An engine observer: a run this process executes has ended, so what its reviewers approved is decided. */
  readonly onEvent = (event: RunEvent): void => {
    if (event.type === 'run.finished') this.refresh();
  };

  /** `catchUp` that never throws: neither a run's end nor a review fails because the log could not be read. */
  refresh(): void {
    try {
      this.catchUp();
    } catch (error) {
      // The next run's end or review tries again.
      this.#logger.warn('the reviewers could not learn from ended runs', { error: errorMessage(error) });
    }
  }
}
