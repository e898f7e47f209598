/** Prints Part 3: the CLI against `make` on the same trivial DAG, medians and every run. */
import { type CliPartResults, medianRun, medianSpawnTimes, type ProcessRun } from './cli-part.js';
import { fixed, renderTable } from './format-table.js';
import { cliGoal } from './goals.js';

export function printCliReport(results: CliPartResults): void {
  const { options } = results;
  console.log(
    `Part 3 — the CLI against make: ${options.steps} independent \`true\` steps at concurrency ${options.concurrency}`,
  );
  console.log(
    `  \`node dist/cli/bin.js run plan.yaml --yes --concurrency ${options.concurrency}\` (fresh directory and store ` +
      `each run) vs \`make -j${options.concurrency}\` on the same DAG, alternately; median of ${options.repeats} runs; ` +
      "CPU = user + system of the process and everything it started (its cgroup's, where there is one)",
  );
  const cli = medianRun(results.cli);
  const make = medianRun(results.make);
  const row = (name: string, median: ProcessRun, runs: readonly ProcessRun[]): string[] => [
    name,
    fixed(median.wallMs / 1000, 3),
    fixed(median.cpuMs / 1000, 2),
    runs.map((run) => fixed(run.wallMs / 1000, 2)).join(' '),
    fixed((median.wallMs * 1000) / options.steps / 1000, 2),
  ];
  for (const line of renderTable(
    ['runner', 'wall s', 'CPU s', 'wall s of each run', 'wall ms/step'],
    [
      row('ai-collab', cli, results.cli),
      row('ai-collab, spawn', medianRun(results.cliSpawning), results.cliSpawning),
      row('make', make, results.make),
      row('node spawn only', medianRun(results.nodeSpawn), results.nodeSpawn),
    ],
  ))
    console.log(line);
  console.log(
    `  ratio: wall ${fixed(cli.wallMs / make.wallMs, 1)}× make (goal ≤${cliGoal.wallRatio}×), ` +
      `CPU ${fixed(cli.cpuMs / Math.max(make.cpuMs, 1), 1)}× make; ` +
      `with every step spawned (AI_COLLAB_LAUNCHER=spawn) ${fixed(medianRun(results.cliSpawning).wallMs / make.wallMs, 1)}× make; ` +
      `the floor of any node orchestrator (spawn only, nothing recorded): ` +
      `wall ${fixed(medianRun(results.nodeSpawn).wallMs / make.wallMs, 1)}× make`,
  );
  const spawned = medianSpawnTimes(results.spawnTimes);
  console.log(
    `  inside node's spawn (fork + exec on the CLI's main thread; ${results.spawnTimes.length} extra runs with ` +
      `bench/scheduler/spawn-timer.mjs preloaded, medians): ${fixed(spawned.spawnMs / 1000, 3)} s of their ` +
      `${fixed(spawned.wallMs / 1000, 3)} s wall for ${spawned.spawns} spawns ` +
      `(${fixed(spawned.spawnMs / Math.max(spawned.spawns, 1), 2)} ms each) = ${fixed(spawned.spawnMs / make.wallMs, 1)}× ` +
      `make's wall time; the first spawn began ${fixed(spawned.firstSpawnAtMs / 1000, 3)} s after the process started`,
  );
}
