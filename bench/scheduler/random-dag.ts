/**
 * The benchmark's plan shape: steps in topological order, each depending on up to a few earlier
 * steps, with heavy-tailed durations. Part 1 uses the durations; Part 2 ignores them (no-op steps).
 */
import { logNormal, type Random, randomInt } from './prng.js';

export interface BenchStep {
  id: string;
  /** Ids of earlier steps, so the array order is a topological order. */
  needs: string[];
  /** Whole milliseconds, at least 1, so simulated timestamps stay integers like real ones. */
  durationMs: number;
}

export interface BenchDag {
  steps: BenchStep[];
}

export interface DagShape {
  minSteps: number;
  maxSteps: number;
  maxDependencies: number;
  medianMs: number;
  sigma: number;
}

export const agentLikeShape: DagShape = {
  minSteps: 50,
  maxSteps: 200,
  maxDependencies: 3,
  medianMs: 60_000,
  sigma: 1,
};

export function randomDag(random: Random, shape: DagShape, stepCount?: number): BenchDag {
  const count = stepCount ?? randomInt(random, shape.minSteps, shape.maxSteps);
  const steps: BenchStep[] = [];
  for (let index = 0; index < count; index++) {
    const wanted = Math.min(index, randomInt(random, 0, shape.maxDependencies));
    const needs = new Set<string>();
    // Distinct earlier steps; duplicates are redrawn rather than dropped so the count is what was drawn.
    while (needs.size < wanted) needs.add(`s${randomInt(random, 0, index - 1)}`);
    steps.push({
      id: `s${index}`,
      needs: [...needs],
      durationMs: Math.max(1, Math.round(logNormal(random, shape.medianMs, shape.sigma))),
    });
  }
  return { steps };
}
