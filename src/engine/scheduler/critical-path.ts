/**
 * Priorities for the ready queue: a step's bottom level, i.e. its estimated duration plus the longest
 * estimated chain of work that waits on it (HLFET / HEFT upward rank on identical slots). Running the
 * step that heads the longest remaining chain first keeps the makespan near max(critical path, work ÷ slots).
 */
import type { StepDefinition } from '../../protocol/plan-types.js';
import type { EventStore } from '../../store/event-store.js';

export const defaultEstimateMs = 1_000;

export interface EstimateSource {
  /** Median of past durations for this agent and action, if the store has any. */
  historicalMedian(agent: string, action: string): number | undefined;
}

export function estimateFor(step: StepDefinition, history: EstimateSource | undefined): number {
  if (step.estimateMs !== undefined) return Math.max(1, step.estimateMs);
  return history?.historicalMedian(step.agent, step.action ?? 'execute') ?? defaultEstimateMs;
}

/** Bottom level of every step, in O(steps + edges). The plan must be acyclic (validated before). */
export function bottomLevels(
  steps: readonly StepDefinition[],
  estimate: (step: StepDefinition) => number,
): Map<string, number> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const remainingDependents = new Map<string, number>(steps.map((step) => [step.id, 0]));
  for (const step of steps) {
    for (const dependency of step.needs)
      remainingDependents.set(dependency, (remainingDependents.get(dependency) ?? 0) + 1);
  }
  const level = new Map<string, number>();
  const longestBelow = new Map<string, number>();
  // Reverse Kahn: start from steps nothing depends on and walk towards the roots.
  const queue = steps.filter((step) => remainingDependents.get(step.id) === 0).map((step) => step.id);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    const step = byId.get(id) as StepDefinition;
    const own = estimate(step) + (longestBelow.get(id) ?? 0);
    level.set(id, own);
    for (const dependency of step.needs) {
      longestBelow.set(dependency, Math.max(longestBelow.get(dependency) ?? 0, own));
      const left = (remainingDependents.get(dependency) as number) - 1;
      remainingDependents.set(dependency, left);
      if (left === 0) queue.push(dependency);
    }
  }
  return level;
}

/** Past durations from the store, read once per agent and action for the engine's life. */
export function durationHistory(store: Pick<EventStore, 'recentDurations'>): EstimateSource {
  const cache = new Map<string, number | undefined>();
  return {
    historicalMedian: (agent, action) => {
      const key = `${agent}\u0000${action}`;
      if (!cache.has(key)) cache.set(key, median(store.recentDurations(agent, action, 50)));
      return cache.get(key);
    },
  };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
