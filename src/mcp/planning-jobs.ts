/**
 * Plans being made for MCP's plan_task. A client gets a run id at once; the planner works in the
 * background and its plan becomes that run (awaiting approval). Until then `get_run` reports the planning,
 * or why it failed, and `cancel_run` stops it.
 */
import type { Clock } from '../support/clock.js';
import { createRunId } from '../support/ids.js';

interface PlanningJob {
  task: string;
  startedAt: number;
  controller: AbortController;
  /** Set when planning failed or was cancelled; the job stays so `get_run` can say why. */
  error?: string;
  done: Promise<void>;
}

/** Jobs that ended without a run are forgotten after this many newer ones. */
const keptFailures = 50;

export class PlanningJobs {
  readonly #clock: Clock;
  readonly #jobs = new Map<string, PlanningJob>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Starts `plan(runId, signal)` in the background under a fresh run id; the job ends when it settles.
   * A failure is kept for `describe`; success leaves the run to the engine.
   */
  start(
    task: string,
    plan: (runId: string, signal: AbortSignal) => Promise<void>,
  ): { runId: string; done: Promise<void> } {
    const runId = createRunId(this.#clock.now());
    const controller = new AbortController();
    const job: PlanningJob = { task, startedAt: this.#clock.now(), controller, done: Promise.resolve() };
    job.done = plan(runId, controller.signal).then(
      () => {
        this.#jobs.delete(runId);
      },
      (error: unknown) => {
        job.error = controller.signal.aborted
          ? 'planning was cancelled'
          : error instanceof Error
            ? error.message
            : String(error);
        this.#forgetOldFailures();
      },
    );
    this.#jobs.set(runId, job);
    return { runId, done: job.done };
  }

  /** What a planning job is doing, for `get_run`; undefined when there is no such job. */
  describe(runId: string): Record<string, unknown> | undefined {
    const job = this.#jobs.get(runId);
    if (!job) return undefined;
    return job.error === undefined
      ? { runId, status: 'planning', task: job.task.slice(0, 200), seconds: this.#seconds(job) }
      : { runId, status: 'failed', task: job.task.slice(0, 200), error: job.error };
  }

  /** Stops a planning job; false when there is none in progress. */
  cancel(runId: string): boolean {
    const job = this.#jobs.get(runId);
    if (!job || job.error !== undefined) return false;
    job.controller.abort(new Error('planning was cancelled'));
    return true;
  }

  #seconds(job: PlanningJob): number {
    return Math.round((this.#clock.now() - job.startedAt) / 1_000);
  }

  #forgetOldFailures(): void {
    const failed = [...this.#jobs].filter(([, job]) => job.error !== undefined);
    for (const [runId] of failed.slice(0, Math.max(0, failed.length - keptFailures)))
      this.#jobs.delete(runId);
  }
}
