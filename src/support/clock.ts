/**
 * Time as a port: the engine (and the VS Code extension, which takes this module) never reads `Date` or calls
 * `setTimeout` itself, so tests can drive time with one fake (test/support/fake-clock.ts).
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, callback: () => void): () => void;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. With `keepAlive: false` its timers never keep the process alive (an editor's host). */
export function createSystemClock(options: { keepAlive: boolean }): Clock {
  const setTimer = (ms: number, callback: () => void): (() => void) => {
    const handle = setTimeout(callback, Math.max(0, ms));
    if (!options.keepAlive) handle.unref();
    return () => clearTimeout(handle);
  };
  return { now: () => Date.now(), setTimer, sleep: (ms, signal) => sleepOn(setTimer, ms, signal) };
}

export const systemClock: Clock = createSystemClock({ keepAlive: true });

/** `Clock.sleep` for any `setTimer`: a clock's (real or fake) one implementation of sleeping. */
export function sleepOn(
  setTimer: Clock['setTimer'],
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
