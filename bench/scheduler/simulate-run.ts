/** One scheduler, one DAG, one concurrency, on a fresh simulation clock; returns the checked makespan. */
import type { BenchDag } from './random-dag.js';
import { ScheduleTrace } from './schedule-trace.js';
import type { SimulatedScheduler } from './schedulers/simulated-scheduler.js';
import { defaultSettlePolicy, type SettlePolicy, SimulationClock } from './simulation-clock.js';
import { validateSchedule } from './validate-schedule.js';

export async function simulateMakespan(
  scheduler: SimulatedScheduler,
  dag: BenchDag,
  concurrency: number,
  settle: SettlePolicy = defaultSettlePolicy,
): Promise<number> {
  const clock = new SimulationClock(settle);
  const trace = new ScheduleTrace(clock);
  const origin = clock.now();
  await clock.drive(scheduler.run({ dag, concurrency, clock, runStep: trace.run }));
  // The makespan is when the scheduler reported completion, which must be when the last step ended.
  const makespan = clock.now() - origin;
  const problems = [
    ...trace.problems,
    ...validateSchedule(dag, trace.spans, { origin, concurrency, workConserving: scheduler.workConserving }),
  ];
  const lastEnd = Math.max(origin, ...[...trace.spans.values()].map((span) => span.end ?? origin));
  if (problems.length === 0 && lastEnd - origin !== makespan) {
    problems.push(`finished at +${makespan} ms, but the last step ended at +${lastEnd - origin} ms`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ');
    throw new Error(`${scheduler.name} at c=${concurrency}: invalid schedule (${problems.length}): ${shown}`);
  }
  return makespan;
}
