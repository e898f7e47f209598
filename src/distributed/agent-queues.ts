/**
 * The coordinator's view of BullMQ: one queue per agent (global concurrency from the agent's configured
 * cap, shared by every worker), one event stream per queue, and a watch per submitted attempt that ends
 * with the job's result or failure. Events can be missed across a reconnect, so a slow poll of the
 * watched jobs' states backs them up: an attempt is never left waiting for an event that already passed.
 */
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type AttemptJob,
  type AttemptProgress,
  attemptProgressSchema,
  lockDigestOf,
  queueNameOf,
} from './job-protocol.js';
import { connectionOptions, type RedisTarget } from './redis-connection.js';

export type JobEnd = { kind: 'completed'; value: unknown } | { kind: 'failed'; reason: string };

export interface JobWatch {
  finished: Promise<JobEnd>;
  /** Removes the job if no worker took it yet, and tells the worker running it to stop. */
  cancel(): Promise<void>;
  dispose(): void;
}

interface WatchHandlers {
  onProgress(progress: AttemptProgress): void;
  onStalled(): void;
  /**
   * A worker took the job (QueueEvents `active`, once per take; one missed across a reconnect is made up
   * for by the registry's presence, which the waiting state also watches).
   */
  onActive(): void;
  /** A report from an execution that no longer holds the job's lock: set aside, never used. */
  onStale(progress: AttemptProgress, reason: string): void;
}

interface Watched extends WatchHandlers {
  agent: string;
  end(end: JobEnd): void;
  /** After a stall two executions may report: each report's lock is then checked against the job's. */
  stalled: boolean;
}

const pollEveryMs = 2_000;
/** Finished jobs stay a day, so a restarted coordinator can still take a result. */
const keepFinished = { age: 24 * 3600 };

export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

export class AgentQueues {
  readonly #target: RedisTarget;
  readonly #prefix: string;
  readonly #redis: Redis;
  readonly #concurrencyOf: (agent: string) => number | undefined;
  readonly #queues = new Map<string, { queue: Queue; events: QueueEvents; ready: Promise<void> }>();
  readonly #watched = new Map<string, Watched>();
  readonly #adds = new JobAdder();
  #poller: NodeJS.Timeout | undefined;
  #delivering: Promise<void> = Promise.resolve();

  constructor(options: {
    target: RedisTarget;
    prefix: string;
    redis: Redis;
    concurrencyOf(agent: string): number | undefined;
  }) {
    this.#target = options.target;
    this.#prefix = options.prefix;
    this.#redis = options.redis;
    this.#concurrencyOf = options.concurrencyOf;
  }

  async submit(agent: string, job: AttemptJob, handlers: WatchHandlers): Promise<JobWatch> {
    const { queue } = await this.#queueOf(agent);
    const watch = this.#watch(agent, queue, job.attemptId, handlers);
    await this.#adds.add(queue, job);
    return watch;
  }

  /**
   * Watches a job submitted earlier (by a coordinator that died): undefined when it is gone or failed, so
   * the step runs again instead.
   */
  async adopt(agent: string, attemptId: string, handlers: WatchHandlers): Promise<JobWatch | undefined> {
    const { queue } = await this.#queueOf(agent);
    const state = await queue.getJobState(attemptId).catch(() => 'unknown');
    if (!['waiting', 'active', 'delayed', 'prioritized', 'completed'].includes(state)) return undefined;
    const watch = this.#watch(agent, queue, attemptId, handlers);
    void this.#checkWatched();
    return watch;
  }

  #watch(agent: string, queue: Queue, id: string, handlers: WatchHandlers): JobWatch {
    let end!: (end: JobEnd) => void;
    const finished = new Promise<JobEnd>((resolve) => {
      end = resolve;
    });
    this.#watched.set(id, { ...handlers, agent, end, stalled: false });
    this.#poll();
    return {
      finished,
      cancel: async () => {
        await this.#redis.publish(cancelChannel(this.#prefix), id).catch(() => 0);
        const queued = await queue.getJob(id).catch(() => undefined);
        await queued?.remove().catch(() => undefined);
        end({ kind: 'failed', reason: 'cancelled' });
      },
      dispose: () => {
        this.#watched.delete(id);
      },
    };
  }

  async #queueOf(agent: string) {
    let entry = this.#queues.get(agent);
    if (!entry) {
      const name = queueNameOf(agent);
      const connection = connectionOptions(this.#target);
      const queue = new Queue(name, { connection, prefix: this.#prefix });
      const events = new QueueEvents(name, { connection, prefix: this.#prefix });
      queue.on('error', () => {});
      events.on('error', () => {});
      events.on('progress', ({ jobId, data }) => {
        const watched = this.#watched.get(jobId);
        const parsed = attemptProgressSchema.safeParse(typeof data === 'string' ? safeJson(data) : data);
        if (watched && parsed.success) this.#deliver(queue, jobId, watched, parsed.data);
      });
      events.on('active', ({ jobId }) => this.#watched.get(jobId)?.onActive());
      events.on('stalled', ({ jobId }) => {
        const watched = this.#watched.get(jobId);
        if (!watched) return;
        watched.stalled = true;
        watched.onStalled();
      });
      events.on('completed', ({ jobId, returnvalue }) =>
        this.#watched.get(jobId)?.end({
          kind: 'completed',
          value: typeof returnvalue === 'string' ? safeJson(returnvalue) : returnvalue,
        }),
      );
      events.on('failed', ({ jobId, failedReason }) =>
        this.#watched.get(jobId)?.end({ kind: 'failed', reason: failedReason }),
      );
      const cap = this.#concurrencyOf(agent);
      const ready = Promise.all([
        queue.waitUntilReady(),
        events.waitUntilReady(),
        cap === undefined ? queue.removeGlobalConcurrency() : queue.setGlobalConcurrency(cap),
      ]).then(() => undefined);
      entry = { queue, events, ready };
      this.#queues.set(agent, entry);
    }
    await entry.ready;
    return entry;
  }

  /** Jobs waiting for a worker and running, per agent whose queue this coordinator used. */
  async depths(): Promise<Array<{ agent: string; waiting: number; active: number }>> {
    return Promise.all(
      [...this.#queues].map(async ([agent, { queue }]) => {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
        return { agent, waiting, active: counts.active ?? 0 };
      }),
    );
  }

  /**
   * Progress in order: before any stall only one execution exists, so nothing is checked; after one, a
   * report whose lock digest is not the job's current lock is stale. Reports are chained so a check's
   * round trip never reorders them.
   */
  #deliver(queue: Queue, jobId: string, watched: Watched, progress: AttemptProgress): void {
    this.#delivering = this.#delivering
      .then(async () => {
        if (!watched.stalled || progress.lock === undefined) return watched.onProgress(progress);
        const current = await this.#redis.get(queue.toKey(`${jobId}:lock`)).catch(() => null);
        // No lock: the job finished or waits for its next pick-up; only a different holder proves staleness.
        if (current === null || lockDigestOf(current) === progress.lock) return watched.onProgress(progress);
        watched.onStale(progress, 'its worker no longer holds the job lock (the attempt runs elsewhere)');
      })
      .catch(() => {});
  }

  /** The backup for missed events: finished jobs among the watched are ended from their stored state. */
  #poll(): void {
    if (this.#poller) return;
    this.#poller = setInterval(() => {
      if (this.#watched.size === 0) return;
      void this.#checkWatched();
    }, pollEveryMs);
    this.#poller.unref();
  }

  async #checkWatched(): Promise<void> {
    for (const [id, watched] of [...this.#watched]) {
      const entry = this.#queues.get(watched.agent);
      const job: Job | undefined = await entry?.queue.getJob(id).catch(() => undefined);
      if (!job?.finishedOn) continue;
      if (job.failedReason) watched.end({ kind: 'failed', reason: job.failedReason });
      else watched.end({ kind: 'completed', value: job.returnvalue });
    }
  }

  async close(): Promise<void> {
    if (this.#poller) clearInterval(this.#poller);
    await Promise.all(
      [...this.#queues.values()].flatMap((entry) => [entry.events.close(), entry.queue.close()]),
    );
  }
}

/**
 * Adds jobs to their queues: one `add` when the queue is idle; jobs submitted while an add is in flight
 * (steps that became ready together) wait for it and go in one `addBulk`, one round trip for all of
 * them, without holding any job back for a batch to fill.
 */
class JobAdder {
  readonly #pending = new Map<Queue, Array<{ job: AttemptJob; done: (error?: unknown) => void }>>();
  readonly #busy = new Set<Queue>();

  add(queue: Queue, job: AttemptJob): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(queue) ?? [];
      waiting.push({ job, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#pending.set(queue, waiting);
      if (!this.#busy.has(queue)) void this.#flush(queue);
    });
  }

  async #flush(queue: Queue): Promise<void> {
    this.#busy.add(queue);
    for (let batch = this.#take(queue); batch.length > 0; batch = this.#take(queue)) {
      const [only] = batch;
      try {
        if (only && batch.length === 1) await queue.add('attempt', only.job, jobOptions(only.job));
        else
          await queue.addBulk(
            batch.map(({ job }) => ({ name: 'attempt', data: job, opts: jobOptions(job) })),
          );
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.done(error ?? new Error('could not add the job'));
      }
    }
    this.#busy.delete(queue);
  }

  #take(queue: Queue) {
    const batch = this.#pending.get(queue) ?? [];
    this.#pending.delete(queue);
    return batch;
  }
}

function jobOptions(job: AttemptJob) {
  return { jobId: job.attemptId, attempts: 1, removeOnComplete: keepFinished, removeOnFail: keepFinished };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
