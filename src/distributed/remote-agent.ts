/**
 * An agent whose attempts run on `ai-collab worker` processes: the `Agent` the engine already knows, so
 * scheduling, retries, review and merge stay exactly as in local mode. One attempt is one BullMQ job on the
 * queue of its agent; progress comes back as job progress; the result commit comes back through git and is
 * applied to the step's directory before the engine's stages look at it.
 */
import { randomUUID } from 'node:crypto';
import type { Agent, AgentResult, AgentTask, SettledAttempt, StepFailure } from '../agents/agent.js';
import { errorMessage } from '../support/errors.js';
import type { AgentQueues, JobWatch } from './agent-queues.js';
import { type AttemptRecord, type AttemptRecords, feedbackKey } from './attempt-records.js';
import type { GitExchange } from './git-exchange.js';
import {
  type AttemptJob,
  type AttemptProgress,
  attemptJobSchema,
  attemptResultSchema,
  protocolVersion,
  type SetupOutcome,
  startRefOf,
} from './job-protocol.js';
import type { WorkerPresence } from './worker-presence.js';
import { WorkerWait } from './worker-wait.js';

export interface RemoteAgentDeps {
  queues: AgentQueues;
  exchange: GitExchange;
  /** Where workers of a run fetch and push (the endpoint with the run's token, or a named remote). */
  grant(runId: string): { url: string; token?: string };
  /** Which job serves each step, so a resumed coordinator takes over instead of running it again. */
  attempts: AttemptRecords;
  /** The start of a step the engine gave none (it works in the user's checkout): see `checkoutStarts`. */
  checkoutStart(runId: string, workspace: string): Promise<string>;
  /** Whether live workers offer each agent (for the "waiting for a worker" state). */
  presence: WorkerPresence;
}

export class RemoteAgent implements Agent {
  readonly name: string;
  readonly #deps: RemoteAgentDeps;

  constructor(name: string, deps: RemoteAgentDeps) {
    this.name = name;
    this.#deps = deps;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const deps = this.#deps;
    let job: AttemptJob;
    try {
      const startCommit = task.startCommit ?? (await deps.checkoutStart(task.runId, task.workspace));
      const grant = deps.grant(task.runId);
      job = attemptJobSchema.parse({
        protocol: protocolVersion,
        runId: task.runId,
        stepId: task.stepId,
        attempt: task.attempt,
        attemptId: randomUUID(),
        step: task.step,
        ...(task.feedback !== undefined && { feedback: task.feedback }),
        startCommit,
        git: { url: grant.url, ...(grant.token !== undefined && { token: grant.token }) },
        ...(task.setup && task.setup.length > 0 && { setup: task.setup }),
      });
      await deps.exchange.offerStart(task.workspace, startCommit, startRefOf(task.runId, job.attemptId));
    } catch (error) {
      return failed(
        'INTERNAL',
        'transient',
        `could not prepare the attempt for a worker: ${errorMessage(error)}`,
      );
    }
    if (task.signal.aborted) return failed('ABORTED', 'permanent', 'stopped before a worker took it');
    const placements = new PlacementReporter(task);
    const setups = new SetupReporter(task);
    const waiting = new WorkerWait(deps.presence, this.name, {
      fact: (fact) => task.onRemoteFact?.(fact),
      warn: (message) => task.onEvent?.({ type: 'warning', message }),
    });
    const handlers = {
      onProgress: (progress: AttemptProgress) => {
        waiting.taken();
        placements.report(progress);
        setups.report(progress);
        for (const part of progress.parts) task.onEvent?.(part);
      },
      onActive: () => waiting.taken(),
      onStale: (progress: AttemptProgress, reason: string) => reportStale(task, progress, reason),
      onStalled: () =>
        task.onEvent?.({
          type: 'warning',
          message: 'the worker running this attempt stopped answering; it runs again on another worker',
        }),
    };
    const feedback = feedbackKey(task.feedback);
    const record = {
      attemptId: job.attemptId,
      attempt: task.attempt,
      startCommit: job.startCommit,
      feedback,
    };
    // One round trip in the usual case (no earlier attempt): this attempt's record is saved at once.
    const claim = await deps.attempts.claim(task.runId, task.stepId, record);
    const earlier = claim.saved ? undefined : claim.earlier;
    const adopted =
      earlier && takesOver(earlier, task, record)
        ? await this.#takeOver(task, { ...record, attemptId: earlier.attemptId }, handlers)
        : undefined;
    if (earlier && adopted) {
      task.onEvent?.({
        type: 'warning',
        message:
          'taking over the attempt a stopped coordinator left on a worker (its agent does not run again)',
      });
      waiting.start();
      return this.#await(task, { ...job, attemptId: earlier.attemptId }, adopted, {
        placements,
        setups,
        waiting,
      });
    }
    if (!claim.saved) await deps.attempts.save(task.runId, task.stepId, record);
    const watch = await deps.queues.submit(this.name, job, handlers);
    waiting.start();
    return this.#await(task, job, watch, { placements, setups, waiting });
  }

  /**
   * Watches the earlier job for this attempt. The record names this attempt first, so a crash at any
   * point of the take-over leaves the next attempt free to take the job over too.
   */
  async #takeOver(
    task: AgentTask,
    record: AttemptRecord,
    handlers: Parameters<AgentQueues['adopt']>[2],
  ): Promise<JobWatch | undefined> {
    await this.#deps.attempts.save(task.runId, task.stepId, record);
    return this.#deps.queues.adopt(this.name, record.attemptId, handlers);
  }

  /** The attempt's outcome is in the log: its record goes, so no later attempt takes its job over. */
  async settled(attempt: SettledAttempt): Promise<void> {
    await this.#deps.attempts.forget(attempt.runId, attempt.stepId, attempt.attempt);
  }

  async #await(
    task: AgentTask,
    job: AttemptJob,
    watch: JobWatch,
    notices: { placements: PlacementReporter; setups: SetupReporter; waiting: WorkerWait },
  ): Promise<AgentResult> {
    const onAbort = () => void watch.cancel();
    task.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const finished = await watch.finished;
      if (task.signal.aborted) {
        // The job was cancelled: nothing of it is left to take over.
        await this.#deps.attempts.forget(task.runId, task.stepId, task.attempt).catch(() => {});
        return failed('ABORTED', 'permanent', 'stopped');
      }
      // The record stays until the engine has logged what came of this result (`settled`): a crash during
      // the review or the merge then takes the same result again instead of running the agent again.
      if (finished.kind === 'failed')
        return failed(
          'AGENT_CRASHED',
          'transient',
          `the worker could not run the attempt: ${finished.reason}`,
        );
      const parsed = attemptResultSchema.safeParse(finished.value);
      if (parsed.success && parsed.data.attemptId !== job.attemptId)
        reportStale(task, parsed.data, `a result for attempt ${parsed.data.attemptId}, not this one`);
      if (!parsed.success || parsed.data.attemptId !== job.attemptId)
        return failed('PROTOCOL_ERROR', 'transient', "a worker returned a result that is not this attempt's");
      // A result taken without any progress seen (the coordinator was away) still names its worker and setup.
      notices.placements.report(parsed.data);
      notices.setups.report(parsed.data);
      const { result, resultCommit, resultRef } = parsed.data;
      if (resultCommit !== undefined && resultRef !== undefined && resultCommit !== job.startCommit) {
        try {
          await this.#deps.exchange.applyResult(task.workspace, {
            start: job.startCommit,
            result: resultCommit,
            ref: resultRef,
          });
        } catch (error) {
          return failed(
            'INTERNAL',
            'transient',
            `could not bring the worker's result in: ${errorMessage(error)}`,
          );
        }
      }
      return result;
    } finally {
      notices.waiting.end();
      task.signal.removeEventListener('abort', onAbort);
      watch.dispose();
    }
  }
}

/**
 * Whether an earlier record's job is this attempt's to take over: only the attempt a crash (or a stop) cut
 * short, before its outcome was logged, and only for the same start and feedback. A record left by an
 * attempt whose outcome was logged (its removal lost in a crash) is never taken: that result was used.
 */
function takesOver(earlier: AttemptRecord, task: AgentTask, current: AttemptRecord): boolean {
  return (
    task.interruptedAttempt !== undefined &&
    earlier.attempt === task.interruptedAttempt &&
    earlier.startCommit === current.startCommit &&
    earlier.feedback === current.feedback
  );
}

/** Tells the engine which worker runs the attempt: once per execution (a stalled job's re-run is another). */
class PlacementReporter {
  readonly #task: AgentTask;
  /** Every execution seen: a late message from a worker that lost the attempt does not name it again. */
  readonly #seen = new Set<string>();

  constructor(task: AgentTask) {
    this.#task = task;
  }

  report(from: Pick<AttemptProgress, 'execution' | 'worker' | 'host'>): void {
    if (this.#seen.has(from.execution)) return;
    this.#seen.add(from.execution);
    this.#task.onRemoteFact?.({ type: 'placed', worker: from.worker, host: from.host ?? 'unknown host' });
  }
}

/** A stale execution's report, recorded once per execution and otherwise dropped. */
function reportStale(
  task: AgentTask,
  from: { attemptId: string; execution: string; worker: string },
  reason: string,
): void {
  const key = `${from.attemptId}/${from.execution}`;
  const seen = staleSeen.get(task) ?? new Set<string>();
  staleSeen.set(task, seen);
  if (seen.has(key)) return;
  seen.add(key);
  task.onRemoteFact?.({
    type: 'stale-report',
    attemptId: from.attemptId,
    execution: from.execution,
    worker: from.worker,
    reason,
  });
}

const staleSeen = new WeakMap<AgentTask, Set<string>>();

/**
 * What `workspace.setup` did on the worker, for the log as local mode records it: from the progress message
 * the worker sends when setup ends, before its agent starts, so it precedes the agent's reports as locally.
 * The result repeats it, for when that message was missed; each execution's setup is recorded once.
 */
class SetupReporter {
  readonly #task: AgentTask;
  readonly #seen = new Set<string>();

  constructor(task: AgentTask) {
    this.#task = task;
  }

  report(from: { execution: string; setup?: SetupOutcome | undefined }): void {
    const { setup } = from;
    if (!setup || this.#seen.has(from.execution)) return;
    this.#seen.add(from.execution);
    const portBase = Number(this.#task.step.env?.AI_COLLAB_PORT_BASE);
    this.#task.onRemoteFact?.({
      type: 'setup-finished',
      commands: setup.commands,
      durationMs: setup.durationMs,
      ...(Number.isInteger(portBase) && { portBase }),
      ...(setup.failure && { failure: setup.failure }),
    });
  }
}

function failed(code: StepFailure['code'], kind: StepFailure['kind'], message: string): AgentResult {
  return { ok: false, failure: { code, kind, message } };
}
