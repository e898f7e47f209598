/**
 * What the Gantt chart draws, folded from a run's events: per step, its attempts as segments (running,
 * then review, then merge), the waits between attempts (retry backoff, usage-limit parking), and the
 * run's critical path — the chain of steps each of which the next one waited for. Also the run's series
 * over time (steps finished, retries, rate-limit waits, steps running, steps queued), for the plots.
 * Pure and free of the DOM; imports only the browser-safe engine types.
 */
import type { AttemptOutcome } from '../../../src/server/stream/step-attempts.js';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';

export type SegmentKind = 'run' | 'review' | 'merge' | 'backoff' | 'parked' | 'failover';
export type { AttemptOutcome };

export interface Segment {
  kind: SegmentKind;
  attempt: number;
  start: number;
  /** Undefined while it lasts. */
  end?: number;
  /** When a wait is planned to end (a backoff's retry time, a usage limit's reset). */
  until?: number;
  /** Why: a parking's reason, a failover's agents and reason. */
  reason?: string;
  /** Distributed mode: the worker that ran this part of the attempt. */
  worker?: string;
}

export interface GanttRow {
  stepId: string;
  segments: Segment[];
  /** Outcome of each attempt, by attempt number. */
  outcomes: Map<number, AttemptOutcome>;
  firstStart: number;
  lastEnd?: number;
  /** Distributed mode: the worker of the latest attempt. */
  worker?: string;
}

export type TimelineEvent = WireEvent;

export interface RunSeries {
  /** Epoch seconds of each sample (an event that changed a series). */
  times: number[];
  finished: number[];
  retries: number[];
  /** Cumulative seconds steps spent waiting on rate and usage limits. */
  limitWaitSeconds: number[];
  running: number[];
  queued: number[];
  /** Cumulative US dollars the run's attempts reported spending. */
  spentUsd: number[];
}

export class GanttModel {
  readonly rows = new Map<string, GanttRow>();
  readonly #needs = new Map<string, readonly string[]>();
  readonly #unmet = new Map<string, number>();
  readonly #dependents = new Map<string, string[]>();
  readonly #series: RunSeries = {
    times: [],
    finished: [],
    retries: [],
    limitWaitSeconds: [],
    running: [],
    queued: [],
    spentUsd: [],
  };
  #spentUsd = 0;
  #finished = 0;
  #retries = 0;
  #limitWait = 0;
  #running = 0;
  readonly #queued = new Set<string>();
  start: number | undefined;
  end: number | undefined;

  add(events: readonly TimelineEvent[]): void {
    for (const event of events) this.#add(event);
  }

  series(): RunSeries {
    return this.#series;
  }

  #add(event: TimelineEvent): void {
    this.#addSpend(event);
    const at = event.at;
    switch (event.type) {
      case 'run.created':
      case 'run.plan-replaced':
        this.#plan(event.data.plan.steps);
        return;
      case 'step.added':
        this.#plan([event.data.step]);
        return;
      case 'run.started':
        for (const [id, unmet] of this.#unmet) if (unmet === 0 && !this.rows.has(id)) this.#queued.add(id);
        break;
      case 'run.finished':
        this.end = at;
        this.#queued.clear();
        break;
      case 'step.started':
        this.#startAttempt(event.data.stepId, event.data.attempt, at);
        break;
      case 'step.stage-started':
        this.#startStage(event.data, at);
        return;
      case 'step.worker-assigned':
        this.#assignWorker(event.data);
        return;
      case 'step.failed-over':
        this.#failOver(event.data, at);
        return;
      case 'step.succeeded':
        this.#succeed(event.data.stepId, event.data.attempt, at);
        break;
      case 'step.attempt-failed':
        this.#waitToRetry(event.data, at);
        break;
      case 'step.parked':
        this.#park(event.data, at);
        break;
      case 'step.failed':
      case 'step.interrupted':
      case 'step.conflicted':
        this.#finish(event.data.stepId, event.data.attempt, endOutcome[event.type], at);
        break;
      case 'step.cancelled':
        this.#cancel(event.data.stepId, at);
        break;
      default:
        return;
    }
    this.#sample(at);
  }

  /** What an attempt reported spending, when it ended (however it ended). */
  #addSpend(event: TimelineEvent): void {
    if (
      (event.type === 'step.succeeded' ||
        event.type === 'step.attempt-failed' ||
        event.type === 'step.failed') &&
      event.data.usage?.costUsd !== undefined
    )
      this.#spentUsd += event.data.usage.costUsd;
  }

  /** A new attempt's running bar; a wait before it (backoff, parking) ends here. */
  #startAttempt(stepId: string, attempt: number, at: number): void {
    this.start ??= at;
    let row = this.rows.get(stepId);
    if (!row) {
      row = { stepId, segments: [], outcomes: new Map(), firstStart: at };
      this.rows.set(stepId, row);
    }
    closeOpen(row, at);
    row.segments.push({ kind: 'run', attempt, start: at });
    row.outcomes.set(attempt, 'running');
    row.lastEnd = undefined;
    this.#queued.delete(stepId);
    this.#running++;
  }

  #startStage(data: { stepId: string; attempt: number; stage: string }, at: number): void {
    const row = this.rows.get(data.stepId);
    if (!row) return;
    closeOpen(row, at);
    // verify and check are part of the attempt's running time; review and merge have their own bars.
    const { stage } = data;
    const kind = stage === 'review' || stage === 'merge' ? stage : 'run';
    row.segments.push({ kind, attempt: data.attempt, start: at });
  }

  /** The step is done; each dependent with nothing left to wait for joins the queue. */
  #succeed(stepId: string, attempt: number, at: number): void {
    this.#finish(stepId, attempt, 'succeeded', at);
    this.#finished++;
    for (const dependent of this.#dependents.get(stepId) ?? []) {
      const unmet = (this.#unmet.get(dependent) ?? 1) - 1;
      this.#unmet.set(dependent, unmet);
      if (unmet === 0 && this.start !== undefined) this.#queued.add(dependent);
    }
  }

  /** A failed attempt that will be retried: a backoff bar until the retry, counted as limit wait if rate-limited. */
  #waitToRetry(
    data: { stepId: string; attempt: number; retryAt: number; error: { code: string } },
    at: number,
  ): void {
    const row = this.#finish(data.stepId, data.attempt, 'retried', at);
    row?.segments.push({ kind: 'backoff', attempt: data.attempt, start: at, until: data.retryAt });
    this.#retries++;
    if (data.error.code === 'RATE_LIMITED') this.#limitWait += Math.max(0, data.retryAt - at) / 1_000;
  }

  /** A usage limit parked the step: a parked bar until the limit resets. */
  #park(data: { stepId: string; attempt: number; until: number; reason: string }, at: number): void {
    const row = this.#finish(data.stepId, data.attempt, 'parked', at);
    row?.segments.push({
      kind: 'parked',
      attempt: data.attempt,
      start: at,
      until: data.until,
      reason: data.reason,
    });
    this.#limitWait += Math.max(0, data.until - at) / 1_000;
  }

  /** A cancelled step leaves the queue; a wait it was in ends, an attempt it was running ends cancelled. */
  #cancel(stepId: string, at: number): void {
    this.#queued.delete(stepId);
    const row = this.rows.get(stepId);
    const last = row?.segments[row.segments.length - 1];
    if (!row || !last || last.end !== undefined) return;
    if (last.kind === 'backoff' || last.kind === 'parked') closeOpen(row, at);
    else this.#finish(stepId, last.attempt, 'cancelled', at);
  }

  /** Names the worker on the attempt's open bar, and on the bars it still opens (review, merge). */
  #assignWorker(data: { stepId: string; attempt: number; worker: string; host: string }): void {
    const row = this.rows.get(data.stepId);
    if (!row) return;
    row.worker = `${data.worker} on ${data.host}`;
    const last = row.segments[row.segments.length - 1];
    if (last?.attempt === data.attempt && last.kind === 'run') last.worker = row.worker;
  }

  /** A mark where the step left its agent (a usage limit, an unusable CLI, a crash loop), with why. */
  #failOver(
    data: { stepId: string; from: string; to: string; cause: string; reason: string },
    at: number,
  ): void {
    const row = this.rows.get(data.stepId);
    const last = row?.segments[row.segments.length - 1];
    if (!row || !last) return;
    if (last.end === undefined && last.kind === 'run') this.#finish(data.stepId, last.attempt, 'parked', at);
    row.segments.push({
      kind: 'failover',
      attempt: last.attempt,
      start: at,
      end: at,
      reason: `${data.from} → ${data.to} (${data.cause}): ${data.reason}`,
    });
  }

  #plan(steps: ReadonlyArray<{ id: string; needs: readonly string[] }>): void {
    for (const step of steps) {
      this.#needs.set(step.id, step.needs);
      this.#unmet.set(step.id, step.needs.length);
      for (const need of step.needs) {
        const list = this.#dependents.get(need) ?? [];
        list.push(step.id);
        this.#dependents.set(need, list);
      }
    }
  }

  #finish(stepId: string, attempt: number, outcome: AttemptOutcome, at: number): GanttRow | undefined {
    const row = this.rows.get(stepId);
    if (!row) return undefined;
    if (row.outcomes.get(attempt) === 'running') this.#running = Math.max(0, this.#running - 1);
    closeOpen(row, at);
    row.outcomes.set(attempt, outcome);
    row.lastEnd = at;
    return row;
  }

  #sample(at: number): void {
    const series = this.#series;
    const seconds = at / 1_000;
    // Events of one instant share a sample: the plot shows where things stood after them.
    const last = series.times.length - 1;
    const index = last >= 0 && series.times[last] === seconds ? last : series.times.push(seconds) - 1;
    series.finished[index] = this.#finished;
    series.retries[index] = this.#retries;
    series.limitWaitSeconds[index] = Math.round(this.#limitWait * 10) / 10;
    series.running[index] = this.#running;
    series.queued[index] = this.#queued.size;
    series.spentUsd[index] = Math.round(this.#spentUsd * 10_000) / 10_000;
  }

  /**
   * The run's critical path as it happened: from the step that ended last, back through the dependency
   * that ended last (the one it waited for), to a step that waited for nothing.
   */
  criticalPath(now: number): string[] {
    const endOf = (id: string): number | undefined => {
      const row = this.rows.get(id);
      if (!row) return undefined;
      return row.lastEnd ?? now;
    };
    let current: string | undefined;
    let latest = Number.NEGATIVE_INFINITY;
    for (const id of this.rows.keys()) {
      const end = endOf(id) ?? Number.NEGATIVE_INFINITY;
      if (end > latest) {
        latest = end;
        current = id;
      }
    }
    const path: string[] = [];
    const seen = new Set<string>();
    while (current !== undefined && !seen.has(current)) {
      path.push(current);
      seen.add(current);
      let next: string | undefined;
      let nextEnd = Number.NEGATIVE_INFINITY;
      for (const need of this.#needs.get(current) ?? []) {
        const end = endOf(need);
        if (end !== undefined && end > nextEnd) {
          nextEnd = end;
          next = need;
        }
      }
      current = next;
    }
    return path.reverse();
  }
}

/** How an attempt ended, for the events that end a step for good. */
const endOutcome = {
  'step.failed': 'failed',
  'step.interrupted': 'interrupted',
  'step.conflicted': 'conflicted',
} as const satisfies Record<string, AttemptOutcome>;

/** Ends the row's last segment if it is still open (a wait ends when the next attempt starts). */
function closeOpen(row: GanttRow, at: number): void {
  const last = row.segments[row.segments.length - 1];
  if (last && last.end === undefined) last.end = at;
}
