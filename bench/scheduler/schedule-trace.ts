/**
 * What each simulated step did and when. Every scheduler runs its steps through `run`, so the same
 * record exists for the engine and the baselines and their schedules can be checked the same way.
 */
import type { Clock } from '../../src/support/clock.js';
import type { BenchStep } from './random-dag.js';

export interface StepSpan {
  start: number;
  /** Undefined while the step is still waiting out its duration. */
  end: number | undefined;
}

/** Performs one step's (simulated) work; the abort signal lets the engine interrupt it. */
export type StepRunner = (step: BenchStep, signal?: AbortSignal) => Promise<void>;

export class ScheduleTrace {
  readonly spans = new Map<string, StepSpan>();
  /** Problems seen while running (a step run twice), reported with the schedule's other problems. */
  readonly problems: string[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The "timer agent" work: hold a slot for the step's duration on the clock, nothing else. */
  readonly run: StepRunner = async (step, signal) => {
    if (this.spans.has(step.id)) this.problems.push(`${step.id} started twice`);
    const span: StepSpan = { start: this.#clock.now(), end: undefined };
    this.spans.set(step.id, span);
    await this.#clock.sleep(step.durationMs, signal);
    span.end = this.#clock.now();
  };
}
