/** The one-line verdict that ends the output: the goals, the measurements against them, PASS or FAIL. */
import { type CliPartResults, medianRun } from './cli-part.js';
import type { FairnessResults } from './fairness-part.js';
import { fairnessRatio } from './fairness-report.js';
import { count, fixed } from './format-table.js';
import { cliGoal, fairnessGoal, makespanGoal, overheadGoal, scalingGoal } from './goals.js';
import type { MakespanResults } from './makespan-part.js';
import { medianPeakRssMb, medianWallMs, type OverheadResults } from './overhead-part.js';
import { engineExactName, engineNoisyName } from './scheduler-set.js';
import { levelScheduler } from './schedulers/level-scheduler.js';
import { pGraphScheduler } from './schedulers/p-graph-scheduler.js';
import { sequentialScheduler } from './schedulers/sequential-scheduler.js';
import { quantile } from './stats.js';

export interface Verdict {
  line: string;
  pass: boolean;
}

export interface PartResults {
  makespan?: MakespanResults | undefined;
  overhead?: OverheadResults | undefined;
  cli?: CliPartResults | undefined;
  fairness?: FairnessResults | undefined;
}

export function summarize({ makespan, overhead, cli, fairness }: PartResults): Verdict {
  const failed: string[] = [];
  const parts = [
    makespan && makespanSummary(makespan, failed),
    overhead && overheadSummary(overhead, failed),
    cli && cliSummary(cli, failed),
    fairness && fairnessSummary(fairness, failed),
  ].filter((part) => part !== undefined);
  const pass = failed.length === 0;
  const verdict = pass ? 'PASS' : `FAIL (${failed.join(', ')})`;
  return { line: `bench:scheduler: ${parts.join('; ')} — ${verdict}`, pass };
}

function makespanSummary(makespan: MakespanResults, failed: string[]): string {
  const c = makespanGoal.concurrency;
  const p90 = (name: string): number => quantile(makespan.samples.get(name)?.get(c)?.ratioToBound ?? [], 0.9);
  const engineP90 = p90(engineExactName);
  if (!(engineP90 <= makespanGoal.p90)) failed.push(`makespan p90 at c=${c}`);
  return (
    `engine p90 ${fixed(engineP90, 3)}×LB at c=${c} (goal ≤${makespanGoal.p90}; noisy estimates ` +
    `${fixed(p90(engineNoisyName), 3)}×) vs p-graph ${fixed(p90(pGraphScheduler.name), 2)}×, ` +
    `level-by-level ${fixed(p90(levelScheduler.name), 2)}×, sequential ${fixed(p90(sequentialScheduler.name), 2)}×`
  );
}

function overheadSummary(overhead: OverheadResults, failed: string[]): string {
  const smallest = overhead.sizes[0];
  const largest = overhead.sizes.at(-1);
  let cost = 'no overhead runs';
  if (smallest && largest) {
    const wall = medianWallMs(largest);
    const rss = medianPeakRssMb(largest);
    const scaling = medianWallMs(largest) / medianWallMs(smallest);
    if (!(wall <= overheadGoal.wallMs)) failed.push('wall time');
    if (!(rss <= overheadGoal.peakRssMb)) failed.push('peak RSS');
    if (smallest !== largest && !(scaling <= scalingGoal)) failed.push('scaling');
    if (overhead.sizes.some((size) => size.problems.length > 0)) failed.push('durability check');
    cost =
      `${count(largest.steps)} no-op steps ${fixed(wall / 1000, 1)} s (goal ≤${overheadGoal.wallMs / 1000} s), ` +
      `peak RSS ${fixed(rss, 0)} MB (≤${overheadGoal.peakRssMb}), ` +
      `${shortCount(largest.steps)}/${shortCount(smallest.steps)} ${fixed(scaling, 1)}× (≤${scalingGoal})`;
  }
  return cost;
}

function cliSummary(cli: CliPartResults, failed: string[]): string {
  const ratio = medianRun(cli.cli).wallMs / medianRun(cli.make).wallMs;
  if (!(ratio <= cliGoal.wallRatio)) failed.push('CLI vs make');
  return `CLI ${cli.options.steps} \`true\` steps ${fixed(ratio, 1)}× make -j${cli.options.concurrency} (goal ≤${cliGoal.wallRatio}×)`;
}

function fairnessSummary(fairness: FairnessResults, failed: string[]): string {
  const ratio = fairnessRatio(fairness);
  const doneRatio = fairness.roundRobin.allDoneMs / fairness.fifo.allDoneMs;
  if (!(ratio >= fairnessGoal.firstStartRatio)) failed.push('fairness');
  if (!(doneRatio <= fairnessGoal.allDoneRatio)) failed.push('fairness throughput');
  const { plans, concurrency } = fairness.options;
  return (
    `last of ${plans} plans at c=${concurrency} starts ${fixed(ratio, 1)}× sooner round-robin than FIFO ` +
    `(${fixed(fairness.roundRobin.lastPlanFirstStartMs / 1000, 1)} s vs ${fixed(fairness.fifo.lastPlanFirstStartMs / 1000, 1)} s; ` +
    `goal ≥${fairnessGoal.firstStartRatio}×), all done ${fixed(doneRatio, 2)}× FIFO's`
  );
}

/** 100000 → "100k", for the compact summary. */
function shortCount(steps: number): string {
  return steps >= 1000 && steps % 1000 === 0 ? `${steps / 1000}k` : String(steps);
}
