/**
 * The seed's proposed executor: group steps by dependency depth and run each level with a concurrency
 * cap, waiting for the whole level before starting the next. Not work-conserving by design: a short
 * step of the next level waits for the longest step of this one.
 */
import type { BenchDag, BenchStep } from '../random-dag.js';
import type { SimulatedScheduler } from './simulated-scheduler.js';

export const levelScheduler: SimulatedScheduler = {
  name: 'level-by-level (seed)',
  workConserving: false,
  async run({ dag, concurrency, runStep }): Promise<void> {
    for (const level of levels(dag)) {
      let next = 0;
      // A small worker pool per level: each worker takes the next step of the level in plan order.
      const worker = async (): Promise<void> => {
        for (let step = level[next++]; step; step = level[next++]) await runStep(step);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, level.length) }, worker));
    }
  },
};

/** Level 0 holds steps without dependencies; a step sits one level below its deepest dependency. */
export function levels(dag: BenchDag): BenchStep[][] {
  const depth = new Map<string, number>();
  const grouped: BenchStep[][] = [];
  for (const step of dag.steps) {
    let own = 0;
    for (const need of step.needs) own = Math.max(own, (depth.get(need) ?? 0) + 1);
    depth.set(step.id, own);
    const level = grouped[own] ?? [];
    level.push(step);
    grouped[own] = level;
  }
  return grouped;
}
