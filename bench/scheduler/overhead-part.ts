/**
 * Part 2: engine overhead with persistence on. Each size runs `repeats` times in its own child process
 * (sequentially, so runs never compete for the two cores or the disk); p-graph on the same DAG, with
 * no persistence, runs once per size as the floor the engine's per-step cost is compared with.
 */
import type { DurableCheck, OverheadMeasurement } from './overhead-measurement.js';
import { measureInChild } from './spawn-child.js';
import { median } from './stats.js';

export interface OverheadOptions {
  sizes: readonly number[];
  concurrency: number;
  repeats: number;
  seed: number;
}

export interface SizeResult {
  steps: number;
  engineRuns: OverheadMeasurement[];
  pGraph: OverheadMeasurement;
  /** Why a run does not prove what it should (empty when every run is correct and durable). */
  problems: string[];
}

export interface OverheadResults {
  options: OverheadOptions;
  sizes: SizeResult[];
}

export async function runOverheadPart(options: OverheadOptions): Promise<OverheadResults> {
  const sizes: SizeResult[] = [];
  for (const steps of options.sizes) {
    const request = { steps, concurrency: options.concurrency, seed: options.seed };
    const engineRuns: OverheadMeasurement[] = [];
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      engineRuns.push(await measureInChild({ ...request, runner: 'engine' }));
    }
    const pGraph = await measureInChild({ ...request, runner: 'p-graph' });
    const problems = engineRuns.flatMap((run) => durabilityProblems(steps, run.durable));
    sizes.push({ steps, engineRuns, pGraph, problems: [...new Set(problems)] });
  }
  return { options, sizes };
}

/** A fast run proves nothing unless it succeeded and its whole log reached the database file. */
function durabilityProblems(steps: number, check: DurableCheck | undefined): string[] {
  if (!check) return ['no durability check reported'];
  const problems: string[] = [];
  if (check.runStatus !== 'succeeded') problems.push(`run ended ${check.runStatus}`);
  if (check.stepsSucceeded !== steps) problems.push(`${check.stepsSucceeded}/${steps} steps succeeded`);
  if (check.storedRunStatus !== 'succeeded') problems.push(`run row says ${check.storedRunStatus}`);
  // run.created + run.started + (step.started + step.succeeded) per step + run.finished.
  const expectedRows = 2 * steps + 3;
  if (check.eventRows !== expectedRows)
    problems.push(`${check.eventRows} event rows, expected ${expectedRows}`);
  for (const type of ['step.started', 'step.succeeded']) {
    if (check.eventRowsByType[type] !== steps)
      problems.push(`${check.eventRowsByType[type] ?? 0} ${type} rows`);
  }
  if (check.journalMode !== 'wal' || check.synchronous !== 2) {
    problems.push(`store ran with journal_mode=${check.journalMode}, synchronous=${check.synchronous}`);
  }
  return problems;
}

export function medianWallMs(size: SizeResult): number {
  return median(size.engineRuns.map((run) => run.wallMs));
}

export function medianPeakRssMb(size: SizeResult): number {
  return median(size.engineRuns.map((run) => run.peakRssMb));
}
