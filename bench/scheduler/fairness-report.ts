/** Prints Part 4: first-step delays of many plans submitted at once, FIFO against round-robin. */
import type { FairnessMeasure, FairnessResults } from './fairness-part.js';
import { fixed, renderTable } from './format-table.js';

export function printFairnessReport(results: FairnessResults): void {
  const { plans, concurrency, stepsPerPlan, stepMs } = results.options;
  console.log(
    `Part 4 — fairness across runs: ${plans} plans of ${stepsPerPlan} × ${stepMs} ms steps submitted at once, ` +
      `${concurrency} slots (simulated time, ${fixed(results.realMs / 1000, 1)} s real)`,
  );
  const row = (name: string, measure: FairnessMeasure) => [
    name,
    fixed(measure.lastPlanFirstStartMs / 1000, 2),
    fixed(measure.medianFirstStartMs / 1000, 2),
    fixed(measure.maxFirstStartMs / 1000, 2),
    fixed(measure.allDoneMs / 1000, 2),
  ];
  const headers = ['slot sharing', 'last plan first start s', 'median first start s', 'max s', 'all done s'];
  for (const line of renderTable(headers, [
    row('first-in first-out (before)', results.fifo),
    row('round-robin across runs', results.roundRobin),
  ]))
    console.log(line);
  console.log(`  last plan's first step starts ${fixed(fairnessRatio(results), 1)}× sooner with round-robin`);
}

/** FIFO's delay of the last plan's first step ÷ round-robin's. */
export function fairnessRatio(results: FairnessResults): number {
  return results.fifo.lastPlanFirstStartMs / results.roundRobin.lastPlanFirstStartMs;
}
