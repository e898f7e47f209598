/** Shared measurements of bench:pool: percentiles, first model request per step, agent-process memory. */
import { readFileSync } from 'node:fs';
import { treeRssBytes } from '../../src/agents/process/tree-memory.js';
import type { ModelServer } from '../../test/support/model-server/index.js';

export interface PhaseResult {
  /** Per step, in step order: first model request − step ready, in ms. */
  dispatchMs: number[];
  /** Per step: whether it was the first turn its process served (cold for that process). */
  firstTurnOfProcess: boolean[];
  totalMs: number;
  processesStarted: number;
  peakRssMb: number;
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

export function stepMarker(phase: string, index: number): string {
  return `BENCH-${phase}-STEP-${index}-END`;
}

/** When the model first heard about step `index` (its marker in the last user message). */
export function firstRequestAt(server: ModelServer, phase: string, index: number): number {
  const marker = stepMarker(phase, index);
  const times = server.requests
    .filter((request) => request.model?.lastUserText.includes(marker))
    .map((request) => request.receivedAt);
  if (times.length === 0) throw new Error(`the model never saw step ${index}`);
  return Math.min(...times);
}

/** Samples the resident memory of every process below this one (the agents), keeping the peak. */
export function startMemorySampler(everyMs = 50): { stop(): number } {
  let peak = 0;
  const ownRss = (): number => {
    const fields = readFileSync('/proc/self/statm', 'utf8').split(' ');
    return Number(fields[1] ?? 0) * 4096;
  };
  const sample = (): void => {
    peak = Math.max(peak, treeRssBytes({ pid: process.pid }) - ownRss());
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak / (1024 * 1024);
    },
  };
}
