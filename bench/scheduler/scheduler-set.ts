/**
 * The schedulers Part 1 compares, built per DAG because the noisy-estimate engine variant carries that
 * DAG's estimates. The first entry is the engine with exact estimates, the reference for ratios.
 */
import type { Random } from './prng.js';
import { logNormal } from './prng.js';
import type { BenchDag } from './random-dag.js';
import { engineScheduler } from './schedulers/engine-scheduler.js';
import { levelScheduler } from './schedulers/level-scheduler.js';
import { pGraphScheduler } from './schedulers/p-graph-scheduler.js';
import { sequentialScheduler } from './schedulers/sequential-scheduler.js';
import type { SimulatedScheduler } from './schedulers/simulated-scheduler.js';

export const engineExactName = 'engine (exact estimates)';
export const engineNoisyName = 'engine (noisy estimates)';
export const schedulerNames = [
  engineExactName,
  engineNoisyName,
  pGraphScheduler.name,
  levelScheduler.name,
  sequentialScheduler.name,
] as const;

/** σ of the multiplicative estimate error: ×lognormal(0.5) is roughly ±60 %, as in performance.md §1.3. */
const estimateNoiseSigma = 0.5;

export function schedulersFor(dag: BenchDag, random: Random): SimulatedScheduler[] {
  const noisy = new Map(
    dag.steps.map((step) => [
      step.id,
      Math.max(1, Math.round(logNormal(random, step.durationMs, estimateNoiseSigma))),
    ]),
  );
  return [
    engineScheduler(engineExactName, (step) => step.durationMs),
    engineScheduler(engineNoisyName, (step) => noisy.get(step.id) ?? step.durationMs),
    pGraphScheduler,
    levelScheduler,
    sequentialScheduler,
  ];
}

/** Every scheduler with exact estimates, for the fixed sanity cases. */
export function allSchedulers(): SimulatedScheduler[] {
  return [
    engineScheduler(engineExactName, (step) => step.durationMs),
    pGraphScheduler,
    levelScheduler,
    sequentialScheduler,
  ];
}
