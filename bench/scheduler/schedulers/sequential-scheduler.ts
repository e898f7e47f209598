/**
 * The seed's loop: `for (const step of plan) await run(step)`. The seed also skipped steps whose
 * dependencies were not done, but in a topologically ordered plan they always are, so it is sequential.
 */
import type { SimulatedScheduler } from './simulated-scheduler.js';

export const sequentialScheduler: SimulatedScheduler = {
  name: 'sequential (seed)',
  // It ignores the concurrency it is given: one slot busy, the others idle.
  workConserving: false,
  async run({ dag, runStep }): Promise<void> {
    for (const step of dag.steps) await runStep(step);
  },
};
