/**
 * Checks a simulated schedule so a wrong simulation cannot pass as a good makespan: every step ran
 * once after its dependencies, never more than `concurrency` at a time, and — for schedulers that claim
 * it — no slot sat idle while a step was ready. That last check is what catches simulated time jumping
 * ahead while the engine was still dispatching (a step would start late next to an idle slot).
 */
import type { BenchDag } from './random-dag.js';
import type { StepSpan } from './schedule-trace.js';

export interface ScheduleExpectations {
  /** Simulated time at which the scheduler was started; root steps are ready from then. */
  origin: number;
  concurrency: number;
  workConserving: boolean;
}

/** Running-step count from `at` until the next change. */
interface Segment {
  at: number;
  running: number;
}

export function validateSchedule(
  dag: BenchDag,
  spans: ReadonlyMap<string, StepSpan>,
  expect: ScheduleExpectations,
): string[] {
  const problems: string[] = [];
  const ready = new Map<string, number>();
  for (const step of dag.steps) {
    const span = spans.get(step.id);
    if (!span || span.end === undefined) {
      problems.push(`${step.id} did not run to the end`);
      continue;
    }
    let readyAt = expect.origin;
    for (const need of step.needs) readyAt = Math.max(readyAt, spans.get(need)?.end ?? Number.NaN);
    if (!(span.start >= readyAt)) problems.push(`${step.id} started before its dependencies ended`);
    if (span.end - span.start !== step.durationMs) problems.push(`${step.id} did not last its duration`);
    ready.set(step.id, readyAt);
  }
  if (problems.length > 0) return problems;
  const segments = occupancy(spans);
  const peak = Math.max(0, ...segments.map((segment) => segment.running));
  if (peak > expect.concurrency) problems.push(`${peak} steps ran at once (cap ${expect.concurrency})`);
  if (expect.workConserving) {
    for (const step of dag.steps) {
      const span = spans.get(step.id) as StepSpan;
      const readyAt = ready.get(step.id) as number;
      if (span.start > readyAt && hasIdleSlot(segments, readyAt, span.start, expect.concurrency)) {
        problems.push(`${step.id} waited ${span.start - readyAt} ms for a slot while one was idle`);
      }
    }
  }
  return problems;
}

/** Steps running over time; ends come before starts at the same instant, since a freed slot is reusable. */
function occupancy(spans: ReadonlyMap<string, StepSpan>): Segment[] {
  const changes: Array<{ at: number; delta: number }> = [];
  for (const span of spans.values()) {
    changes.push({ at: span.start, delta: 1 }, { at: span.end as number, delta: -1 });
  }
  changes.sort((left, right) => left.at - right.at || left.delta - right.delta);
  const segments: Segment[] = [];
  let running = 0;
  for (const change of changes) {
    running += change.delta;
    const last = segments.at(-1);
    if (last && last.at === change.at) last.running = running;
    else segments.push({ at: change.at, running });
  }
  return segments;
}

/** Whether fewer than `concurrency` steps ran at some moment of [from, to). */
function hasIdleSlot(segments: readonly Segment[], from: number, to: number, concurrency: number): boolean {
  // Before the first start nothing runs at all.
  if ((segments[0]?.at ?? Number.POSITIVE_INFINITY) > from) return true;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as Segment;
    const until = segments[index + 1]?.at ?? Number.POSITIVE_INFINITY;
    if (until <= from) continue;
    if (segment.at >= to) break;
    if (segment.running < concurrency) return true;
  }
  return false;
}
