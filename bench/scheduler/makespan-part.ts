/**
 * Part 1: makespan quality. Each seeded random DAG runs under every scheduler at every concurrency on
 * the simulation clock; the result is makespan ÷ lower bound per run, plus each run's makespan relative
 * to the engine's on the same DAG (the same-run baseline ratio).
 */
import { performance } from 'node:perf_hooks';
import { dagBounds, lowerBound } from './dag-bounds.js';
import { mulberry32 } from './prng.js';
import { agentLikeShape, randomDag } from './random-dag.js';
import { engineExactName, schedulersFor } from './scheduler-set.js';
import { simulateMakespan } from './simulate-run.js';

export interface MakespanOptions {
  seed: number;
  dagCount: number;
  concurrencies: readonly number[];
}

export interface MakespanSamples {
  /** makespan ÷ LB, one entry per DAG. */
  ratioToBound: number[];
  /** makespan ÷ makespan of the exact-estimate engine on the same DAG and concurrency. */
  ratioToEngine: number[];
}

export interface MakespanResults {
  options: MakespanOptions;
  /** Scheduler name → concurrency → samples. */
  samples: Map<string, Map<number, MakespanSamples>>;
  totalSteps: number;
  simulatedRuns: number;
  realMs: number;
}

export async function runMakespanPart(options: MakespanOptions): Promise<MakespanResults> {
  const started = performance.now();
  const dagRandom = mulberry32(options.seed);
  // A separate stream for estimate noise, so changing the noise never changes the DAGs.
  const noiseRandom = mulberry32(options.seed ^ 0x9e3779b9);
  const samples = new Map<string, Map<number, MakespanSamples>>();
  let totalSteps = 0;
  let simulatedRuns = 0;
  for (let index = 0; index < options.dagCount; index++) {
    const dag = randomDag(dagRandom, agentLikeShape);
    totalSteps += dag.steps.length;
    const bounds = dagBounds(dag);
    const schedulers = schedulersFor(dag, noiseRandom);
    for (const concurrency of options.concurrencies) {
      const bound = lowerBound(bounds, concurrency);
      const makespans = new Map<string, number>();
      for (const scheduler of schedulers) {
        makespans.set(scheduler.name, await simulateMakespan(scheduler, dag, concurrency));
        simulatedRuns++;
      }
      const reference = makespans.get(engineExactName) as number;
      for (const [name, makespan] of makespans) {
        const byConcurrency = samples.get(name) ?? new Map<number, MakespanSamples>();
        samples.set(name, byConcurrency);
        const entry = byConcurrency.get(concurrency) ?? { ratioToBound: [], ratioToEngine: [] };
        byConcurrency.set(concurrency, entry);
        entry.ratioToBound.push(makespan / bound);
        entry.ratioToEngine.push(makespan / reference);
      }
    }
  }
  return { options, samples, totalSteps, simulatedRuns, realMs: performance.now() - started };
}
