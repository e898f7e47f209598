/**
 * The server's RSS, sampled every few seconds from /proc. One reading lands anywhere on the garbage
 * collector's saw-tooth (tens of MB at a higher rate), so the soak compares medians over a window.
 */
import { readFileSync } from 'node:fs';
import { median } from '../scheduler/stats.js';

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1_024;
}

export class RssSamples {
  readonly #samples: Array<{ atMs: number; mb: number }> = [];
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, everyMs: number) {
    const started = Date.now();
    this.#timer = setInterval(
      () => this.#samples.push({ atMs: Date.now() - started, mb: rssMb(pid) }),
      everyMs,
    );
  }

  /** Median RSS of the samples taken in [fromMs, toMs) since sampling started. */
  medianBetween(fromMs: number, toMs: number): number {
    return median(
      this.#samples
        .filter((sample) => sample.atMs >= fromMs && sample.atMs < toMs)
        .map((sample) => sample.mb),
    );
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
