/**
 * `ai-collab worker`: takes step attempts from the queues of the agents it can run here (its own
 * credentials), runs each in a worktree of its cached clone with the same adapters and pools as local
 * mode, streams parts back as job progress, pushes the result through git and returns it. A payload that
 * does not parse fails that job with the reason; the worker keeps serving. A worker that loses a job's
 * lock stops the agent at once (the attempt already runs elsewhere), and a watchdog process stops the
 * agents if the worker itself dies.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AgentResult, AgentStreamPart } from '../../agents/agent.js';
import type { AgentRegistry } from '../../agents/registry.js';
import type { StepCommandSettings } from '../../agents/shell/step-command.js';
import { fileSafe } from '../../engine/step-attempt.js';
import type { Clock } from '../../support/clock.js';
import { errorMessage } from '../../support/errors.js';
import type { Logger } from '../../support/logger.js';
import type { Git } from '../../workspace/git-runner.js';
import { runWorktreeSetup } from '../../workspace/worktree-setup.js';
import { cancelChannel } from '../agent-queues.js';
import {
  type AttemptJob,
  type AttemptProgress,
  type AttemptResult,
  attemptJobSchema,
  lockDigestOf,
  payloadProblem,
  queueNameOf,
  resultRefOf,
  type SetupOutcome,
} from '../job-protocol.js';
import { connectionOptions, openRedis, type RedisTarget, reportConnection } from '../redis-connection.js';
import { heartbeatEveryMs, removeWorker, type WorkerEntry, writeHeartbeat } from '../worker-registry.js';
import { AttemptCheckouts } from './attempt-checkout.js';
import type { Watchdog } from './watchdog-client.js';

export interface WorkerServiceOptions {
  target: RedisTarget;
  prefix: string;
  directory: string;
  name: string;
  concurrency: number;
  /** Agents offered: usable here and chosen. */
  agents: AgentRegistry;
  offered: string[];
  unavailable: Array<{ agent: string; reason: string }>;
  git: Git;
  clock: Clock;
  logger: Logger;
  watchdog: Watchdog;
  /** How long a job's lock lasts without renewal; a worker silent this long loses its attempts. */
  lockMs: number;
  /** Where the worker says Redis was lost and is back (a line each). */
  report(line: string): void;
  /** How `workspace.setup` commands run here: as a shell step would (allow-list, log cap, kill grace). */
  commands: StepCommandSettings;
}

/** Who runs an execution, sent with each report (the lock only as a digest). */
type ExecutionIdentity = {
  attemptId: string;
  execution: string;
  worker: string;
  /** Its machine's host name, so views name where the attempt ran. */
  host: string;
  lock?: string;
};

/** Parts are sent in batches: one Redis write per burst of text, not per token. */
const flushEveryMs = 100;
/** How often stalled jobs are looked for, at most (a shorter lock checks as often as it lasts). */
const stalledCheckEveryMs = 1_000;
/**
 * Attempts starting and ending within this window share one heartbeat (the running list `ai-collab
 * workers` shows): a burst of short attempts is one registry write, not two per attempt.
 */
const runningBeatMs = 200;

export class WorkerService {
  readonly id = randomUUID();
  readonly #options: WorkerServiceOptions;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #workers: Worker[] = [];
  readonly #running = new Map<string, WorkerEntry['running'][number]>();
  readonly #checkouts: AttemptCheckouts;
  readonly #startedAt: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #runningBeat: NodeJS.Timeout | undefined;
  /** Once closing, no heartbeat is written: one landing after the removal would show a ghost worker. */
  #closing = false;

  constructor(options: WorkerServiceOptions) {
    this.#options = options;
    this.#redis = openRedis(options.target);
    reportConnection(this.#redis, options.target, options.report);
    this.#subscriber = openRedis(options.target);
    this.#checkouts = new AttemptCheckouts(options.git, options.directory);
    this.#startedAt = options.clock.now();
  }

  async start(): Promise<void> {
    const options = this.#options;
    mkdirSync(join(options.directory, 'logs'), { recursive: true, mode: 0o700 });
    // Registered before it can take a job: a coordinator that sees a job taken sees its worker alive too.
    await this.#beat();
    for (const agent of options.offered) {
      const worker = new Worker(
        queueNameOf(agent),
        // Three parameters: BullMQ passes the abort signal only to a processor that declares it.
        (job: Job, token: string | undefined, signal: AbortSignal | undefined) =>
          this.#process(agent, job, token, signal),
        {
          connection: connectionOptions(options.target),
          prefix: options.prefix,
          concurrency: options.concurrency,
          name: options.name,
          lockDuration: options.lockMs,
          // The lock (its TTL in Redis) is what marks a job stalled, so checking often is safe, and cheap: one
          // script per interval across all workers (BullMQ's stalled-check key). A dead worker's attempt runs
          // again within the lock plus about a second, not the lock plus a whole lock's interval.
          stalledInterval: Math.min(options.lockMs, stalledCheckEveryMs),
          // A stall is a dead or frozen worker, not the attempt's fault: a few are forgiven before the
          // job fails (the engine's retry policy then decides).
          maxStalledCount: 3,
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      );
      worker.on('error', (error) =>
        options.logger.warn('worker queue error', { agent, error: errorMessage(error) }),
      );
      worker.on('lockRenewalFailed', (jobIds) => {
        // The attempt now belongs to whoever the stalled-job check gives it to: stop ours at once.
        for (const jobId of jobIds) worker.cancelJob(jobId, 'lost the job lock');
      });
      this.#workers.push(worker);
    }
    await this.#subscriber.subscribe(cancelChannel(options.prefix));
    this.#subscriber.on('message', (_channel: string, attemptId: string) => {
      for (const worker of this.#workers) worker.cancelJob(attemptId, 'cancelled by the coordinator');
    });
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    this.#heartbeat = setInterval(() => void this.#beat().catch(() => {}), heartbeatEveryMs);
  }

  async #beat(): Promise<void> {
    const options = this.#options;
    await writeHeartbeat(this.#redis, options.prefix, {
      id: this.id,
      name: options.name,
      host: hostname(),
      pid: process.pid,
      agents: options.offered,
      unavailable: options.unavailable,
      running: [...this.#running.values()],
      concurrency: options.concurrency,
      startedAt: this.#startedAt,
      heartbeatAt: options.clock.now(),
    });
  }

  /** Publishes the running list shortly, once for every change within `runningBeatMs`. */
  #beatSoon(): void {
    if (this.#closing) return;
    this.#runningBeat ??= setTimeout(() => {
      this.#runningBeat = undefined;
      void this.#beat().catch(() => {});
    }, runningBeatMs);
  }

  async #process(
    agentName: string,
    job: Job,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const parsed = attemptJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`malformed attempt payload: ${payloadProblem(parsed.error)}`);
    const data = parsed.data;
    if (data.step.agent !== agentName || data.attemptId !== job.id)
      throw new UnrecoverableError(
        `foreign attempt payload: step agent "${data.step.agent}" on the queue of "${agentName}", attempt ${data.attemptId} in job ${job.id}`,
      );
    // Asked afresh, as before a local attempt: the CLI may have gone since the worker started.
    const agent = this.#options.agents.recheck(agentName);
    if (!agent)
      throw new UnrecoverableError(
        `${this.#options.agents.unavailableReason(agentName) ?? `agent "${agentName}" cannot run`} (worker ${this.#options.name})`,
      );
    const execution = randomUUID();
    this.#running.set(execution, {
      runId: data.runId,
      stepId: data.stepId,
      attempt: data.attempt,
      attemptId: data.attemptId,
    });
    this.#beatSoon();
    try {
      const identity = {
        attemptId: data.attemptId,
        execution,
        worker: this.#options.name,
        host: hostname(),
        ...(token !== undefined && { lock: lockDigestOf(token) }),
      };
      return await this.#execute(data, job, identity, agent, signal ?? new AbortController().signal);
    } finally {
      this.#running.delete(execution);
      this.#beatSoon();
    }
  }

  async #execute(
    data: AttemptJob,
    job: Job,
    identity: ExecutionIdentity,
    agent: NonNullable<ReturnType<AgentRegistry['get']>>,
    signal: AbortSignal,
  ): Promise<AttemptResult> {
    const options = this.#options;
    const { execution } = identity;
    // Its first message (who took the attempt) goes out during the checkout if the attempt lasts that long.
    const progress = new ProgressSender(job, identity);
    const checkout = await this.#checkouts.open({
      url: data.git.url,
      ...(data.git.token !== undefined && { token: data.git.token }),
      startCommit: data.startCommit,
    });
    const watched: Array<{ pid: number; startTime: string }> = [];
    let result: AgentResult;
    let finished = false;
    try {
      const setup = await this.#setUp(data, checkout.path, signal);
      // Sent before the agent starts: the coordinator records the setup where local mode does, ahead of the agent.
      if (setup) await progress.setUp(setup);
      if (setup?.failure) {
        finished = !signal.aborted;
        return { ...identity, result: { ok: false, failure: setup.failure }, setup };
      }
      result = await agent.run({
        runId: data.runId,
        stepId: data.stepId,
        attempt: data.attempt,
        step: data.step,
        workspace: checkout.path,
        logFile: join(options.directory, 'logs', `${fileSafe(data.attemptId)}.${execution.slice(0, 8)}.log`),
        signal,
        ...(data.feedback !== undefined && { feedback: data.feedback }),
        onProcessStarted: (record) => {
          const { logFile: _logFile, ...root } = record;
          options.watchdog.add(root);
          watched.push(root);
          progress.processes.push({ pid: record.pid, pgid: record.pgid });
        },
        onEvent: (part) => progress.add(part),
      });
      // Said before the end: after a lost lock this report reaches the coordinator, which records it as stale.
      if (signal.aborted)
        progress.add({ type: 'warning', message: `stopped: ${String(signal.reason ?? 'aborted')}` });
      await progress.finish();
      if (signal.aborted) throw new Error(`stopped: ${String(signal.reason ?? 'aborted')}`);
      if (!result.ok) {
        finished = true;
        return { ...identity, result, ...(setup && { setup }) };
      }
      const ref = resultRefOf(data.runId, data.attemptId, execution);
      const { commit, pushed } = await checkout.commitAndPush(
        ref,
        `ai-collab: ${data.stepId} (attempt ${data.attempt}) on ${options.name}`,
        signal,
      );
      finished = true;
      return {
        ...identity,
        result,
        resultCommit: commit,
        ...(pushed && { resultRef: ref }),
        ...(setup && { setup }),
      };
    } finally {
      progress.stop();
      for (const root of watched) options.watchdog.remove(root);
      // A stopped attempt's worktree may still be written by a process on its way out: never reused.
      await checkout.release({ reuse: finished && !signal.aborted }).catch((error) =>
        options.logger.warn('could not remove an attempt worktree', {
          path: checkout.path,
          error: errorMessage(error),
        }),
      );
    }
  }

  /** The job's `workspace.setup` in the attempt's fresh checkout, logged under the attempt's id. */
  async #setUp(data: AttemptJob, cwd: string, signal: AbortSignal) {
    if (!data.setup || data.setup.length === 0) return undefined;
    const logsDir = join(this.#options.directory, 'logs', fileSafe(data.attemptId));
    mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    const context = { runId: data.runId, step: data.step, attempt: data.attempt, signal, logsDir };
    return runWorktreeSetup({ settings: this.#options.commands }, data.setup, context, cwd, {});
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#runningBeat) clearTimeout(this.#runningBeat);
    await Promise.all(this.#workers.map((worker) => worker.close()));
    await this.#checkouts.close().catch(() => {});
    await removeWorker(this.#redis, this.#options.prefix, this.id).catch(() => {});
    this.#subscriber.disconnect();
    this.#redis.disconnect();
  }
}

/**
 * Batches stream parts into job progress messages. Who took the attempt (and its processes) goes out with
 * the first batch, at most `flushEveryMs` after the take; an attempt that ends sooner sends nothing but
 * its result, which names its worker too: a no-op step costs no progress message (a Redis write on the
 * worker, an event and a log commit on the coordinator).
 */
class ProgressSender {
  readonly processes: Array<{ pid: number; pgid: number }> = [];
  readonly #job: Job;
  readonly #identity: ExecutionIdentity;
  #parts: AgentStreamPart[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  #announced = false;
  #sentProcesses = 0;

  constructor(job: Job, identity: ExecutionIdentity) {
    this.#job = job;
    this.#identity = identity;
    this.#arm();
  }

  /** What the job's `setup` did, at once (it also says who took the attempt): before the agent's parts. */
  setUp(setup: SetupOutcome): Promise<void> {
    this.#disarm();
    this.#announced = true;
    return this.#send({ ...this.#identity, parts: [], setup });
  }

  add(part: AgentStreamPart): void {
    this.#parts.push(part);
    this.#arm();
  }

  /** Sends what is pending: parts, new processes, and who took the attempt if not said yet. */
  flush(): Promise<void> {
    this.#disarm();
    const parts = this.#parts;
    this.#parts = [];
    const processes = this.processes.length > this.#sentProcesses ? [...this.processes] : undefined;
    this.#sentProcesses = this.processes.length;
    if (parts.length === 0 && !processes && this.#announced) return this.#sending;
    this.#announced = true;
    return this.#send({ ...this.#identity, parts, ...(processes && { processes }) });
  }

  /**
   * Before the result: parts still pending go out first (the coordinator sees them before the end); no
   * message is sent for the identity or processes alone, since the result carries the identity.
   */
  finish(): Promise<void> {
    if (this.#parts.length > 0) return this.flush();
    this.#disarm();
    return this.#sending;
  }

  stop(): void {
    this.#disarm();
  }

  /** Messages go one after another, in the order they were made. */
  #send(message: AttemptProgress): Promise<void> {
    this.#sending = this.#sending.then(() => this.#job.updateProgress(message)).catch(() => {});
    return this.#sending;
  }

  #arm(): void {
    this.#timer ??= setTimeout(() => void this.flush(), flushEveryMs);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
