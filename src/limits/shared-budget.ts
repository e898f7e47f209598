/**
 * A provider account's budget as several processes share it (the Redis-backed one is `redis-limits.ts`):
 * its requests and tokens per window, and the pause that one caller's 429 or announced reset puts on all.
 */
export interface SharedBudget {
  /**
   * Takes one request and `tokens` from the budget: 0 when taken, else the milliseconds to wait before
   * asking again (nothing taken). A pause in force is such a wait.
   */
  take(tokens: number): Promise<number>;
  /** Returns what `take` took, for a request that did not go out after all. */
  giveBack(tokens: number): void;
  /** A request used `delta` more tokens than it took (fewer when negative). */
  correct(delta: number): void;
  /** Pauses every process on the account until `until` (epoch ms); a shorter pause never cuts a longer one. */
  pause(until: number): void;
  /** The latest pause this process knows of (epoch ms; in the past when none). */
  pausedUntil(): number;
}
