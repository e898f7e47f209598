/**
 * Verdicts of past reviews in the state database, so an identical review (same step task, same change,
 * same reviewers and rule) is answered without a model call by any later process or run of the workspace.
 * Values are JSON the caller reads back through `parse`, which may refuse them: a row written by another
 * version, or damaged, is a miss (the review is made again), never a verdict taken on trust. The table is
 * bounded: past `maxEntries`, the least recently used rows go.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../support/clock.js';

export interface SqliteReviewCacheOptions<T> {
  /** The stored JSON back as a value, or undefined when it is not one. */
  parse(value: unknown): T | undefined;
  /** @default 10000 */
  maxEntries?: number;
}

interface CacheRow {
  review: string;
}

/** Rows deleted past the limit are counted once per this many writes, not on every one. */
const pruneEvery = 64;

export class SqliteReviewCache<T extends { reviewedAt: number }> {
  readonly #clock: Clock;
  readonly #parse: (value: unknown) => T | undefined;
  readonly #maxEntries: number;
  readonly #select: Database.Statement<[string], CacheRow>;
  readonly #touch: Database.Statement<[number, string]>;
  readonly #upsert: Database.Statement<[string, string, number, number]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #prune: Database.Statement<[number]>;
  readonly #selectAll: Database.Statement<[], CacheRow>;
  #writes = 0;

  constructor(db: Database.Database, clock: Clock, options: SqliteReviewCacheOptions<T>) {
    this.#clock = clock;
    this.#parse = options.parse;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#select = db.prepare('SELECT review FROM review_cache WHERE cache_key = ?');
    this.#selectAll = db.prepare('SELECT review FROM review_cache ORDER BY reviewed_at, cache_key');
    this.#touch = db.prepare('UPDATE review_cache SET used_at = ? WHERE cache_key = ?');
    this.#upsert = db.prepare(
      `INSERT INTO review_cache (cache_key, review, reviewed_at, used_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (cache_key) DO UPDATE SET review = excluded.review, reviewed_at = excluded.reviewed_at,
         used_at = excluded.used_at`,
    );
    this.#remove = db.prepare('DELETE FROM review_cache WHERE cache_key = ?');
    this.#prune = db.prepare(
      `DELETE FROM review_cache WHERE cache_key IN (
         SELECT cache_key FROM review_cache ORDER BY used_at DESC LIMIT -1 OFFSET ?)`,
    );
  }

  async get(key: string): Promise<T | undefined> {
    const row = this.#select.get(key);
    if (!row) return undefined;
    let value: T | undefined;
    try {
      value = this.#parse(JSON.parse(row.review));
    } catch {
      value = undefined;
    }
    if (value === undefined) {
      this.#remove.run(key);
      return undefined;
    }
    this.#touch.run(this.#clock.now(), key);
    return value;
  }

  /** Every stored review that parses, oldest first (rows that do not parse are skipped, not trusted). */
  all(): T[] {
    const reviews: T[] = [];
    for (const row of this.#selectAll.iterate()) {
      let value: T | undefined;
      try {
        value = this.#parse(JSON.parse(row.review));
      } catch {
        value = undefined;
      }
      if (value !== undefined) reviews.push(value);
    }
    return reviews;
  }

  async put(key: string, review: T): Promise<void> {
    this.#upsert.run(key, JSON.stringify(review), review.reviewedAt, this.#clock.now());
    this.#writes++;
    if (this.#writes % pruneEvery === 1) this.#prune.run(this.#maxEntries);
  }
}
