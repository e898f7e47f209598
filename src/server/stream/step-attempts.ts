/**
 * Every attempt of every step, folded from a run's events: when it ran, how it ended, its output, usage
 * and reviewer votes. Free of Node APIs: the dashboard builds its timeline with it, the server its step view.
 */
import type { ReviewVoteData, StepErrorInfo, StepUsage, WorkerPlacement } from '../../engine/events.js';
import type { WireEvent } from './stream-protocol.js';

export type AttemptOutcome =
  | 'running'
  | 'succeeded'
  | 'retried'
  | 'failed'
  | 'parked'
  | 'interrupted'
  | 'cancelled'
  | 'conflicted';

export interface AttemptRecord {
  stepId: string;
  attempt: number;
  agent: string;
  startedAt: number;
  finishedAt?: number;
  outcome: AttemptOutcome;
  durationMs?: number;
  error?: StepErrorInfo;
  output?: string;
  usage?: StepUsage;
  logFile?: string;
  votes: ReviewVoteData[];
  /** Stages the attempt reached: review, merge. */
  stages: string[];
  parkedUntil?: number;
  feedback?: string;
  /** Distributed mode: the workers that took the attempt, in order (more than one after a stall). */
  workers: WorkerPlacement[];
}

export class AttemptLog {
  readonly attempts: AttemptRecord[] = [];
  readonly #current = new Map<string, AttemptRecord>();
  readonly #only: string | undefined;

  /** Keeps only `stepId`'s attempts when given. */
  constructor(stepId?: string) {
    this.#only = stepId;
  }

  add(event: WireEvent): void {
    if (!('stepId' in event.data)) return;
    const { stepId } = event.data;
    if (this.#only !== undefined && stepId !== this.#only) return;
    const current = this.#current.get(stepId);
    switch (event.type) {
      case 'step.started': {
        const record: AttemptRecord = {
          stepId,
          attempt: event.data.attempt,
          agent: event.data.agent,
          startedAt: event.at,
          outcome: 'running',
          votes: [],
          stages: [],
          workers: [],
        };
        this.attempts.push(record);
        this.#current.set(stepId, record);
        return;
      }
      case 'step.process-started':
        if (current) current.logFile = event.data.logFile;
        return;
      case 'step.worker-assigned':
        if (current?.attempt === event.data.attempt)
          current.workers.push({ worker: event.data.worker, host: event.data.host });
        return;
      case 'step.succeeded':
        if (!current) return;
        this.#finish(current, 'succeeded', event.at);
        current.durationMs = event.data.durationMs;
        if (event.data.output !== undefined) current.output = event.data.output;
        if (event.data.usage) current.usage = event.data.usage;
        return;
      case 'step.attempt-failed':
      case 'step.failed':
        if (!current) return;
        this.#finish(current, event.type === 'step.failed' ? 'failed' : 'retried', event.at);
        current.error = event.data.error;
        if (event.data.usage) current.usage = event.data.usage;
        if (event.type === 'step.attempt-failed' && event.data.feedback !== undefined) {
          current.feedback = event.data.feedback;
        }
        return;
      case 'step.parked':
        if (!current) return;
        this.#finish(current, 'parked', event.at);
        current.parkedUntil = event.data.until;
        return;
      case 'step.failed-over':
        // The attempt met its agent's limit; the step goes on elsewhere at once, without waiting.
        if (current?.outcome === 'running') this.#finish(current, 'parked', event.at);
        return;
      case 'step.interrupted':
        if (current) this.#finish(current, 'interrupted', event.at);
        return;
      case 'step.cancelled':
        if (current?.outcome === 'running') this.#finish(current, 'cancelled', event.at);
        return;
      case 'step.conflicted':
        if (current) this.#finish(current, 'conflicted', event.at);
        return;
      case 'step.stage-started':
        if (current && !current.stages.includes(event.data.stage)) current.stages.push(event.data.stage);
        return;
      case 'step.review-vote': {
        if (!current) return;
        const { stepId: _stepId, attempt: _attempt, ...vote } = event.data;
        current.votes.push(vote);
        return;
      }
      default:
        return;
    }
  }

  #finish(record: AttemptRecord, outcome: AttemptOutcome, at: number): void {
    record.outcome = outcome;
    record.finishedAt = at;
    record.durationMs ??= Math.max(0, at - record.startedAt);
  }
}
