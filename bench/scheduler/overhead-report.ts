/** Prints Part 2: wall time, throughput, memory and the durability check of every size. */
import { count, fixed, renderTable } from './format-table.js';
import { medianPeakRssMb, medianWallMs, type OverheadResults } from './overhead-part.js';
import { maximum, median } from './stats.js';

export function printOverheadReport(results: OverheadResults): void {
  const { options } = results;
  console.log(
    'Part 2 — engine overhead with persistence on (no-op steps, random DAG, 0–3 deps on earlier steps)',
  );
  console.log(
    `  durable engine: SqliteStore on a temp file (journal_mode=WAL, synchronous=FULL as the store sets it), ` +
      `system clock, run concurrency ${options.concurrency}; each run in its own child process; ` +
      `engine: median of ${options.repeats} runs; p-graph 2.0.0 (in memory, no persistence): 1 run, as the floor`,
  );
  const rows: Array<Array<string | number>> = [];
  for (const size of results.sizes) {
    const wall = medianWallMs(size);
    const walls = size.engineRuns.map((run) => fixed(run.wallMs / 1000, 2)).join(' ');
    const rss = size.engineRuns.map((run) => run.peakRssMb);
    const live = size.engineRuns.flatMap((run) =>
      run.heapAfterGcMb === undefined ? [] : [run.heapAfterGcMb],
    );
    const rows0 = size.engineRuns[0]?.durable?.eventRows ?? 0;
    rows.push([
      'engine',
      count(size.steps),
      fixed(wall / 1000, 2),
      walls,
      count(size.steps / (wall / 1000)),
      `${fixed(medianPeakRssMb(size), 0)} (max ${fixed(maximum(rss), 0)})`,
      fixed(median(size.engineRuns.map((run) => run.rssBeforeRunMb)), 0),
      fixed(median(live), 0),
      count(rows0),
      size.problems.length === 0 ? 'succeeded, all rows stored ✓' : `FAIL: ${size.problems.join('; ')}`,
    ]);
    const floor = size.pGraph;
    rows.push([
      'p-graph',
      count(size.steps),
      fixed(floor.wallMs / 1000, 2),
      fixed(floor.wallMs / 1000, 2),
      count(size.steps / (floor.wallMs / 1000)),
      fixed(floor.peakRssMb, 0),
      fixed(floor.rssBeforeRunMb, 0),
      fixed(floor.heapAfterGcMb, 0),
      '—',
      `engine/p-graph time ${fixed(wall / floor.wallMs, 1)}×`,
    ]);
  }
  const headers = [
    'runner',
    'steps',
    'wall s',
    'runs (s)',
    'steps/s',
    'peak RSS MB',
    'RSS before run',
    'live heap after GC MB',
    'event rows',
    'check / note',
  ];
  console.log('');
  for (const line of renderTable(headers, rows)) console.log(line);
  const smallest = results.sizes[0];
  const largest = results.sizes.at(-1);
  if (smallest && largest && smallest !== largest) {
    console.log(
      `  time(${count(largest.steps)}) ÷ time(${count(smallest.steps)}) = ` +
        `${fixed(medianWallMs(largest) / medianWallMs(smallest), 1)}× for ${fixed(largest.steps / smallest.steps, 0)}× the steps (medians)`,
    );
  }
}
