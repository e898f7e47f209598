/**
 * `npm run bench:scheduler`: how good the engine's schedules are (Part 1, simulated time, against the
 * lower bound and three baselines run on the same DAGs) and what the durable engine costs per step at
 * scale (Part 2, real time and disk), what the whole CLI costs per shell step against `make` (Part 3,
 * real processes; needs `npm run build`), and how fairly concurrent runs share slots (Part 4, simulated). Ends with one summary line; exits 1 when a goal or check fails.
 *
 * Options (after `npm run bench:scheduler --`):
 *   --seed N          PRNG seed for every DAG (default 20260523)
 *   --dags N          Part 1 DAG count (default 100)
 *   --repeats N       Part 2 engine runs per size, median reported (default 3)
 *   --concurrency N   Part 2 run concurrency (default 64)
 *   --sizes A,B       Part 2 step counts (default 10000,100000)
 *   --cli-steps N     Part 3 shell steps (default 400)
 *   --cli-concurrency N  Part 3 concurrency for the CLI and make -j (default 8)
 *   --cli-repeats N   Part 3 runs of each, median reported (default 5)
 *   --parts A,B       which parts to run: makespan,overhead,cli,fairness (default all)
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runCliPart } from './cli-part.js';
import { printCliReport } from './cli-report.js';
import { defaultFairnessOptions, runFairnessPart } from './fairness-part.js';
import { printFairnessReport } from './fairness-report.js';
import { runMakespanPart } from './makespan-part.js';
import { printMakespanReport } from './makespan-report.js';
import { runOverheadPart } from './overhead-part.js';
import { printOverheadReport } from './overhead-report.js';
import { runSimulationSelfCheck } from './simulation-self-check.js';
import { summarize } from './summary.js';

const defaultDagCount = 100;

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '20260523' },
      dags: { type: 'string', default: String(defaultDagCount) },
      repeats: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '64' },
      sizes: { type: 'string', default: '10000,100000' },
      'cli-steps': { type: 'string', default: '400' },
      'cli-concurrency': { type: 'string', default: '8' },
      'cli-repeats': { type: 'string', default: '5' },
      parts: { type: 'string', default: 'makespan,overhead,cli,fairness' },
    },
  });
  const seed = positiveInteger('seed', values.seed);
  const dagCount = positiveInteger('dags', values.dags);
  const sizes = values.sizes.split(',').map((size) => positiveInteger('sizes', size));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`bench:scheduler — node ${process.version}, ${cpus().length} × ${cpu}, seed ${seed}`);
  console.log('');

  const parts = new Set(values.parts.split(','));

  let makespan: Awaited<ReturnType<typeof runMakespanPart>> | undefined;
  if (parts.has('makespan')) {
    const selfCheck = await runSimulationSelfCheck(seed);
    makespan = await runMakespanPart({ seed, dagCount, concurrencies: [2, 4, 8] });
    const note =
      dagCount < defaultDagCount
        ? `DAG count reduced to ${dagCount} (from ${defaultDagCount}) by --dags`
        : '';
    printMakespanReport(makespan, selfCheck, note);
    console.log('');
  }

  let overhead: Awaited<ReturnType<typeof runOverheadPart>> | undefined;
  if (parts.has('overhead')) {
    overhead = await runOverheadPart({
      sizes,
      seed,
      concurrency: positiveInteger('concurrency', values.concurrency),
      repeats: positiveInteger('repeats', values.repeats),
    });
    printOverheadReport(overhead);
    console.log('');
  }

  let cli: Awaited<ReturnType<typeof runCliPart>> | undefined;
  if (parts.has('cli')) {
    cli = await runCliPart({
      steps: positiveInteger('cli-steps', values['cli-steps']),
      concurrency: positiveInteger('cli-concurrency', values['cli-concurrency']),
      repeats: positiveInteger('cli-repeats', values['cli-repeats']),
    });
    printCliReport(cli);
    console.log('');
  }

  let fairness: Awaited<ReturnType<typeof runFairnessPart>> | undefined;
  if (parts.has('fairness')) {
    fairness = await runFairnessPart(defaultFairnessOptions);
    printFairnessReport(fairness);
    console.log('');
  }

  const verdict = summarize({ makespan, overhead, cli, fairness });
  console.log(verdict.line);
  if (!verdict.pass) process.exitCode = 1;
}

await main();
