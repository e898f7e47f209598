/**
 * An agent whose attempts run on `ai-collab worker` processes: the `Agent` the engine already knows, so
 * scheduling, retries, review and merge stay exactly as in local mode. One attempt is one BullMQ job on the
 * queue of its agent; progress comes back as job progress; the result commit comes back through git and is
 * applied to the step's directory before the engine's stages look at it.
 */
import { randomUUID } from 'node:crypto';
import type { Agent, AgentResult, AgentTask, StepFailure } from '../agents/agent.js';
import { errorMessage } from '../support/errors.js';
import type { AgentQueues, JobWatch } from './agent-queues.js';
import { type AttemptRecords, feedbackKey } from './attempt-records.js';
import type { GitEndpoint } from './git-endpoint.js';
import type { GitExchange } from './git-exchange.js';
import {
  type AttemptJob,
  type AttemptProgress,
  attemptJobSchema,
  attemptResultSchema,
  protocolVersion,
} from './job-protocol.js';

export interface RemoteAgentDeps {
  queues: AgentQueues;
  exchange: GitExchange;
  endpoint: GitEndpoint;
  /** Which job serves each step, so a resumed coordinator takes over instead of running it again. */
  attempts: AttemptRecords;
  /** Whether a live worker offers the agent now (for the "waiting for a worker" notice). */
  workerOffers(agent: string): Promise<boolean>;
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
      const startCommit = await deps.exchange.startOf(task.workspace);
      const grant = deps.endpoint.grant(task.runId);
      job = attemptJobSchema.parse({
        protocol: protocolVersion,
        runId: task.runId,
        stepId: task.stepId,
        attempt: task.attempt,
        attemptId: randomUUID(),
        step: task.step,
        ...(task.feedback !== undefined && { feedback: task.feedback }),
        startCommit,
        git: { url: grant.url, token: grant.token },
      });
    } catch (error) {
      return failed(
        'INTERNAL',
        'transient',
        `could not prepare the attempt for a worker: ${errorMessage(error)}`,
      );
    }
    if (task.signal.aborted) return failed('ABORTED', 'permanent', 'stopped before a worker took it');
    const placements = new PlacementReporter(task);
    const handlers = {
      onProgress: (progress: AttemptProgress) => {
        placements.report(progress);
        for (const part of progress.parts) task.onEvent?.(part);
      },
      onStalled: () =>
        task.onEvent?.({
          type: 'warning',
          message: 'the worker running this attempt stopped answering; it runs again on another worker',
        }),
    };
    const feedback = feedbackKey(task.feedback);
    const earlier = await deps.attempts.find(task.runId, task.stepId).catch(() => undefined);
    const adopted =
      earlier && earlier.startCommit === job.startCommit && earlier.feedback === feedback
        ? await deps.queues.adopt(this.name, earlier.attemptId, handlers)
        : undefined;
    if (adopted) {
      task.onEvent?.({
        type: 'warning',
        message: 'taking over the attempt still on a worker (not run again)',
      });
      return this.#await(
        task,
        { ...job, attemptId: earlier?.attemptId ?? job.attemptId },
        adopted,
        placements,
      );
    }
    await deps.attempts.save(task.runId, task.stepId, {
      attemptId: job.attemptId,
      startCommit: job.startCommit,
      feedback,
    });
    const watch = await deps.queues.submit(this.name, job, handlers);
    if (!(await deps.workerOffers(this.name).catch(() => true)))
      task.onEvent?.({ type: 'warning', message: `waiting for a worker that runs ${this.name}` });
    return this.#await(task, job, watch, placements);
  }

  async #await(
    task: AgentTask,
    job: AttemptJob,
    watch: JobWatch,
    placements: PlacementReporter,
  ): Promise<AgentResult> {
    const onAbort = () => void watch.cancel();
    task.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const finished = await watch.finished;
      if (task.signal.aborted) {
        await this.#deps.attempts.forget(task.runId, task.stepId).catch(() => {});
        return failed('ABORTED', 'permanent', 'stopped');
      }
      // Taken: a later attempt of this step must never be given this result again.
      await this.#deps.attempts.forget(task.runId, task.stepId).catch(() => {});
      if (finished.kind === 'failed')
        return failed(
          'AGENT_CRASHED',
          'transient',
          `the worker could not run the attempt: ${finished.reason}`,
        );
      const parsed = attemptResultSchema.safeParse(finished.value);
      if (!parsed.success || parsed.data.attemptId !== job.attemptId)
        return failed('PROTOCOL_ERROR', 'transient', "a worker returned a result that is not this attempt's");
      // A result taken without any progress seen (the coordinator was away) still names its worker.
      placements.report(parsed.data);
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
      task.signal.removeEventListener('abort', onAbort);
      watch.dispose();
    }
  }
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
    this.#task.onPlaced?.({ worker: from.worker, host: from.host ?? 'unknown host' });
  }
}

function failed(code: StepFailure['code'], kind: StepFailure['kind'], message: string): AgentResult {
  return { ok: false, failure: { code, kind, message } };
}
