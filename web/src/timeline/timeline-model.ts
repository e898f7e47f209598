/**
 * What the timeline draws, from a run's events: attempts placed on lanes (a lane is a concurrency slot:
 * an attempt takes the lowest lane free when it starts), and per-interval series of throughput, retries
 * and rate-limit waits.
 */
import { AttemptLog, type AttemptRecord } from '../../../src/server/stream/step-attempts.js';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';

export interface PlacedAttempt extends AttemptRecord {
  lane: number;
}

export interface Series {
  bucketMs: number;
  start: number;
  finished: number[];
  retries: number[];
  /** Seconds of parking (usage limits) and rate-limited attempts, per bucket. */
  rateLimitWaits: number[];
}

export class TimelineModel {
  readonly #log = new AttemptLog();
  readonly #parked: Array<{ at: number; seconds: number }> = [];
  readonly #retries: number[] = [];
  readonly #rateLimited: number[] = [];

  add(events: readonly WireEvent[]): void {
    for (const event of events) {
      this.#log.add(event);
      if (event.type === 'step.parked')
        this.#parked.push({ at: event.at, seconds: (event.data.until - event.at) / 1_000 });
      if (event.type === 'step.attempt-failed') {
        this.#retries.push(event.at);
        if (event.data.error.code === 'RATE_LIMITED') this.#rateLimited.push(event.at);
      }
    }
  }

  attempts(now: number): { placed: PlacedAttempt[]; lanes: number; start: number; end: number } {
    const sorted = [...this.#log.attempts].sort((a, b) => a.startedAt - b.startedAt);
    const laneFree: number[] = [];
    const placed = sorted.map((attempt) => {
      const end = attempt.finishedAt ?? now;
      let lane = laneFree.findIndex((freeAt) => freeAt <= attempt.startedAt);
      if (lane < 0) lane = laneFree.length;
      laneFree[lane] = end;
      return { ...attempt, lane };
    });
    const start = sorted[0]?.startedAt ?? now;
    const end = Math.max(start + 1, ...placed.map((attempt) => attempt.finishedAt ?? now));
    return { placed, lanes: laneFree.length, start, end };
  }

  series(start: number, end: number, buckets = 40): Series {
    const bucketMs = Math.max(1, Math.ceil((end - start) / buckets));
    const empty = () => Array.from({ length: buckets }, () => 0);
    const series: Series = { bucketMs, start, finished: empty(), retries: empty(), rateLimitWaits: empty() };
    const slot = (at: number) => Math.min(buckets - 1, Math.max(0, Math.floor((at - start) / bucketMs)));
    for (const attempt of this.#log.attempts) {
      if (attempt.outcome === 'succeeded' && attempt.finishedAt !== undefined) {
        (series.finished[slot(attempt.finishedAt)] as number)++;
      }
    }
    for (const at of this.#retries) (series.retries[slot(at)] as number)++;
    for (const { at, seconds } of this.#parked)
      series.rateLimitWaits[slot(at)] = (series.rateLimitWaits[slot(at)] ?? 0) + seconds;
    for (const at of this.#rateLimited)
      series.rateLimitWaits[slot(at)] = (series.rateLimitWaits[slot(at)] ?? 0) + 1;
    return series;
  }
}
