/** What every scheduler under comparison implements, so Part 1 can run them interchangeably. */
import type { BenchDag } from '../random-dag.js';
import type { StepRunner } from '../schedule-trace.js';
import type { SimulationClock } from '../simulation-clock.js';

export interface SimulationTask {
  dag: BenchDag;
  concurrency: number;
  clock: SimulationClock;
  /** Waits the step's duration on the clock and records when it ran. */
  runStep: StepRunner;
}

export interface SimulatedScheduler {
  readonly name: string;
  /**
   * Whether it promises never to leave a slot idle while a step is ready (greedy list scheduling);
   * such schedulers get the stricter schedule check.
   */
  readonly workConserving: boolean;
  /** Resolves when every step has run. */
  run(task: SimulationTask): Promise<void>;
}
