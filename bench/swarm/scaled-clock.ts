/**
 * Time that runs `scale` times faster than the wall clock, shared by the limiter, the reviewers and the
 * scripted server's rate limit: minutes of provider limits pass in seconds, over real HTTP.
 */
import { type Clock, systemClock } from '../../src/support/clock.js';

export interface ScaledClock extends Clock {
  readonly scale: number;
  /** Simulated milliseconds between two wall-clock instants. */
  simulated(realMs: number): number;
}

export function scaledClock(scale: number): ScaledClock {
  const origin = Date.now();
  return {
    scale,
    now: () => origin + (Date.now() - origin) * scale,
    setTimer: (ms, callback) => systemClock.setTimer(ms / scale, callback),
    sleep: (ms, signal) => systemClock.sleep(ms / scale, signal),
    simulated: (realMs) => realMs * scale,
  };
}
