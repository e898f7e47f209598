/**
 * The yardstick for makespans: no schedule on m slots can beat max(critical path, total work ÷ m)
 * (Graham), so ratios against it are comparable across DAGs of different sizes and shapes.
 */
import type { BenchDag } from './random-dag.js';

export interface DagBounds {
  criticalPathMs: number;
  totalWorkMs: number;
}

export function dagBounds(dag: BenchDag): DagBounds {
  // Steps are topologically ordered, so one forward pass gives every step's earliest finish.
  const finish = new Map<string, number>();
  let criticalPathMs = 0;
  let totalWorkMs = 0;
  for (const step of dag.steps) {
    let start = 0;
    for (const need of step.needs) start = Math.max(start, finish.get(need) ?? 0);
    const end = start + step.durationMs;
    finish.set(step.id, end);
    criticalPathMs = Math.max(criticalPathMs, end);
    totalWorkMs += step.durationMs;
  }
  return { criticalPathMs, totalWorkMs };
}

export function lowerBound(bounds: DagBounds, concurrency: number): number {
  return Math.max(bounds.criticalPathMs, bounds.totalWorkMs / concurrency);
}
