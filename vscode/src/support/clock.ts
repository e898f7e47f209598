/**
 * Time as a port: the supervisor and the stream read time and set timers only through this, so tests use a
 * fake. The clock is the product's own (src/support/clock.ts), whose timers here never keep the extension
 * host (or a test) alive: a pending health check or backoff must not.
 */
import { type Clock, createSystemClock } from '../../../src/support/clock.js';

export type { Clock };

export const systemClock: Clock = createSystemClock({ keepAlive: false });

/** `promise`, or a rejection with `error()` once `ms` pass on `clock` first. */
export function withTimeout<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
  error: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(ms, () => reject(error()));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (reason: unknown) => {
        cancel();
        reject(reason);
      },
    );
  });
}
