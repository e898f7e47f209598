/** Prints Part 1: per concurrency, each scheduler's makespan ÷ LB and its makespan ÷ the engine's. */

import { count, fixed, renderTable } from './format-table.js';
import type { MakespanResults } from './makespan-part.js';
import { agentLikeShape } from './random-dag.js';
import { maximum, median, quantile } from './stats.js';

export function printMakespanReport(
  results: MakespanResults,
  selfCheck: readonly string[],
  note: string,
): void {
  const { options } = results;
  const shape = agentLikeShape;
  console.log('Part 1 — makespan quality (simulated time; LB = max(critical path, total work ÷ c))');
  console.log(
    `  seed ${options.seed}; ${options.dagCount} random DAGs of ${shape.minSteps}–${shape.maxSteps} steps ` +
      `(${count(results.totalSteps)} in all), 0–${shape.maxDependencies} deps on earlier steps, durations ` +
      `log-normal (median ${shape.medianMs / 1000} s, σ ${shape.sigma}); noisy estimates = duration × lognormal(σ 0.5)`,
  );
  if (note) console.log(`  ${note}`);
  console.log(
    `  ${count(results.simulatedRuns)} simulated runs in ${fixed(results.realMs / 1000, 1)} s real time; ` +
      'every schedule checked (precedence, cap; work-conserving for engine and p-graph)',
  );
  console.log('  simulation self-check:');
  for (const line of selfCheck) console.log(`    ${line}`);
  const rows: Array<Array<string | number>> = [];
  for (const concurrency of options.concurrencies) {
    for (const [name, byConcurrency] of results.samples) {
      const samples = byConcurrency.get(concurrency);
      if (!samples) continue;
      const bound = samples.ratioToBound;
      const engine = samples.ratioToEngine;
      rows.push([
        `c=${concurrency}`,
        name,
        fixed(median(bound), 3),
        fixed(quantile(bound, 0.9), 3),
        fixed(maximum(bound), 3),
        `${fixed(median(engine), 3)}×`,
        `${fixed(quantile(engine, 0.9), 3)}×`,
      ]);
    }
  }
  const headers = ['c', 'scheduler', '÷LB median', '÷LB p90', '÷LB max', '÷engine median', '÷engine p90'];
  console.log('');
  for (const line of renderTable(headers, rows)) console.log(line);
  console.log(
    "  (÷engine: makespan over the exact-estimate engine's on the same DAG; > 1 means slower than the engine)",
  );
}
