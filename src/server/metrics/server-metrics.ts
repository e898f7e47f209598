/**
 * Prometheus metrics of the orchestrator as seen from its event log and its live statistics. Counters and
 * histograms are fed by every event the server's feeds apply; gauges are computed when scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RunEvent, StepUsage } from '../../engine/events.js';
import type { RunState } from '../../engine/run-state.js';
import type { RuntimeStats } from '../engine-port.js';
import type { StreamMetrics } from '../stream/hub-port.js';
import { registerRuntimeStats } from './runtime-stats-metrics.js';

export interface MetricsSources {
  /** States of the runs the server follows. */
  states(): Iterable<Readonly<RunState>>;
  stats?: RuntimeStats;
}

const activeStatuses: ReadonlySet<string> = new Set(['running', 'reviewing', 'merging']);

export class ServerMetrics {
  readonly registry = new Registry();
  readonly stream: StreamMetrics;
  readonly #stepDuration: Histogram<'agent' | 'action' | 'outcome'>;
  readonly #stepsFinished: Counter<'agent' | 'status'>;
  readonly #runsFinished: Counter<'status'>;
  readonly #retries: Counter<'agent' | 'code'>;
  readonly #rateLimited: Counter<'agent'>;
  readonly #parkedSeconds: Counter<'agent'>;
  readonly #votes: Counter<'reviewer' | 'vote'>;
  readonly #verdicts: Counter<'verdict'>;
  readonly #httpRequests: Counter<'route' | 'status'>;
  readonly #httpRejected: Counter<'code'>;
  readonly #costUsd: Counter<'agent' | 'model'>;
  readonly #tokens: Counter<'agent' | 'model' | 'kind'>;
  #finishedRuns = 0;
  #succeededRuns = 0;
  readonly #since: number;
  /** The last seq counted per run: a feed that reopens replays its log, and nothing is counted twice. */
  readonly #counted = new Map<string, number>();

  /** Counts events from `since` (the server's start) on. */
  constructor(since: number, sources: MetricsSources) {
    this.#since = since;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#stepDuration = new Histogram({
      name: 'ai_collab_step_duration_seconds',
      help: 'Duration of step attempts by agent, action and outcome (succeeded, retried, failed).',
      labelNames: ['agent', 'action', 'outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600],
      registers,
    });
    this.#stepsFinished = counter('ai_collab_steps_finished_total', 'Steps that reached a final state.', [
      'agent',
      'status',
    ]);
    this.#runsFinished = counter('ai_collab_runs_finished_total', 'Runs that ended, by status.', ['status']);
    this.#retries = counter('ai_collab_step_retries_total', 'Failed attempts that will be retried.', [
      'agent',
      'code',
    ]);
    this.#rateLimited = counter(
      'ai_collab_rate_limited_total',
      'Attempts that ended on a provider rate limit (HTTP 429).',
      ['agent'],
    );
    this.#parkedSeconds = counter(
      'ai_collab_parked_seconds_total',
      'Time steps were parked waiting for a usage limit to reset.',
      ['agent'],
    );
    this.#votes = counter('ai_collab_review_votes_total', 'Reviewer votes.', ['reviewer', 'vote']);
    this.#verdicts = counter('ai_collab_review_verdicts_total', 'Review verdicts on step results.', [
      'verdict',
    ]);
    this.#httpRequests = counter('ai_collab_http_requests_total', 'HTTP requests answered, by route.', [
      'route',
      'status',
    ]);
    this.#httpRejected = counter(
      'ai_collab_http_rejected_total',
      'Requests and upgrades refused by the access policy, by reason.',
      ['code'],
    );
    this.#costUsd = counter(
      'ai_collab_cost_usd_total',
      'Dollars step attempts spent (reported by the agent or tokens × the price table), by agent and model.',
      ['agent', 'model'],
    );
    this.#tokens = counter(
      'ai_collab_tokens_total',
      'Tokens step attempts used, by agent, model and kind (input, output); cached input is part of input.',
      ['agent', 'model', 'kind'],
    );
    this.stream = this.#streamMetrics(registers);
    this.#runGauges(sources, registers);
    if (sources.stats) registerRuntimeStats(sources.stats, registers);

    function counter<T extends string>(name: string, help: string, labelNames: T[]): Counter<T> {
      return new Counter({ name, help, labelNames, registers });
    }
  }

  /** Whether events of the run up to `lastSeq` (and since the server started) are still uncounted. */
  behind(runId: string, lastSeq: number): boolean {
    return (this.#counted.get(runId) ?? 0) < lastSeq;
  }

  /**
   * Forgets the runs `keep` does not name (the runs list and the open feeds are kept): the map stays as
   * small as the runs list however long the server runs. A forgotten run is one that fell off the list, so
   * no poll opens its feed to count it again.
   */
  retainOnly(keep: (runId: string) => boolean): void {
    for (const runId of this.#counted.keys()) if (!keep(runId)) this.#counted.delete(runId);
  }

  /** Feeds every applied event into counters and histograms, once. */
  observe(event: RunEvent, state: Readonly<RunState>): void {
    if (event.seq <= (this.#counted.get(event.runId) ?? 0)) return;
    this.#counted.set(event.runId, event.seq);
    if (event.at < this.#since) return;
    this.#count(event, state);
  }

  /** Spend of one attempt, from the usage its event carries. */
  #countSpend(agent: string, usage: StepUsage | undefined): void {
    if (!usage) return;
    const model = usage.model ?? 'unknown';
    this.#tokens.inc({ agent, model, kind: 'input' }, usage.inputTokens);
    this.#tokens.inc({ agent, model, kind: 'output' }, usage.outputTokens);
    if (usage.costUsd !== undefined) this.#costUsd.inc({ agent, model }, usage.costUsd);
  }

  #count(event: RunEvent, state: Readonly<RunState>): void {
    const stepOf = (stepId: string) => state.steps[stepId];
    if (
      event.type === 'step.succeeded' ||
      event.type === 'step.attempt-failed' ||
      event.type === 'step.failed'
    )
      this.#countSpend(stepOf(event.data.stepId)?.agent ?? 'unknown', event.data.usage);
    switch (event.type) {
      case 'step.succeeded': {
        const step = stepOf(event.data.stepId);
        const labels = { agent: step?.agent ?? 'unknown', action: step?.action ?? 'execute' };
        this.#stepDuration.observe({ ...labels, outcome: 'succeeded' }, event.data.durationMs / 1_000);
        this.#stepsFinished.inc({ agent: labels.agent, status: 'succeeded' });
        return;
      }
      case 'step.attempt-failed':
      case 'step.failed': {
        const step = stepOf(event.data.stepId);
        const agent = step?.agent ?? 'unknown';
        const outcome = event.type === 'step.failed' ? 'failed' : 'retried';
        if (step?.startedAt !== undefined) {
          this.#stepDuration.observe(
            { agent, action: step.action ?? 'execute', outcome },
            Math.max(0, event.at - step.startedAt) / 1_000,
          );
        }
        if (event.type === 'step.attempt-failed') {
          this.#retries.inc({ agent, code: event.data.error.code });
          if (event.data.error.code === 'REVIEW_REJECTED') this.#verdicts.inc({ verdict: 'rejected' });
        } else this.#stepsFinished.inc({ agent, status: 'failed' });
        if (event.data.error.code === 'RATE_LIMITED') this.#rateLimited.inc({ agent });
        return;
      }
      case 'step.parked': {
        const agent = stepOf(event.data.stepId)?.agent ?? 'unknown';
        this.#parkedSeconds.inc({ agent }, Math.max(0, event.data.until - event.at) / 1_000);
        return;
      }
      case 'step.cancelled':
      case 'step.conflicted': {
        const agent = stepOf(event.data.stepId)?.agent ?? 'unknown';
        this.#stepsFinished.inc({
          agent,
          status: event.type === 'step.cancelled' ? 'cancelled' : 'conflicted',
        });
        return;
      }
      case 'step.review-vote':
        this.#votes.inc({ reviewer: event.data.reviewer, vote: event.data.vote });
        return;
      case 'step.stage-passed':
        if (event.data.stage === 'review') this.#verdicts.inc({ verdict: 'approved' });
        return;
      case 'run.finished':
        this.#runsFinished.inc({ status: event.data.status });
        this.#finishedRuns++;
        if (event.data.status === 'succeeded') this.#succeededRuns++;
        return;
      default:
        return;
    }
  }

  http(route: string, status: number): void {
    this.#httpRequests.inc({ route, status: String(status) });
  }

  rejected(code: string): void {
    this.#httpRejected.inc({ code });
  }

  #streamMetrics(registers: Registry[]): StreamMetrics {
    const connections = new Gauge({
      name: 'ai_collab_ws_connections',
      help: 'Open dashboard stream connections.',
      registers,
    });
    const messages = new Counter({
      name: 'ai_collab_ws_messages_sent_total',
      help: 'Stream frames sent.',
      registers,
    });
    const bytes = new Counter({
      name: 'ai_collab_ws_bytes_sent_total',
      help: 'Stream bytes sent.',
      registers,
    });
    const dropped = new Counter({
      name: 'ai_collab_ws_clients_dropped_total',
      help: 'Stream clients cut off: slow (over the buffered-bytes cap), dead (no pong), protocol.',
      labelNames: ['reason'],
      registers,
    });
    return {
      connections: (count) => connections.set(count),
      sent: (size) => {
        messages.inc();
        bytes.inc(size);
      },
      cutOff: (reason) => dropped.inc({ reason }),
    };
  }

  #runGauges(sources: MetricsSources, registers: Registry[]): void {
    const finished = this;
    new Gauge({
      name: 'ai_collab_steps_running',
      help: 'Steps running (including review and merge) in the runs the server follows.',
      registers,
      collect() {
        this.set(sumOver(sources.states(), (state) => countActive(state)));
      },
    });
    new Gauge({
      name: 'ai_collab_steps_parked',
      help: 'Steps waiting for a usage limit to reset.',
      registers,
      collect() {
        this.set(
          sumOver(sources.states(), (state) =>
            Object.values(state.steps).reduce((sum, step) => sum + (step.parkedReason ? 1 : 0), 0),
          ),
        );
      },
    });
    new Gauge({
      name: 'ai_collab_parallel_efficiency',
      help: 'Busy step slots divided by the concurrency cap of the running runs (1 = every slot busy).',
      registers,
      collect() {
        const running = [...sources.states()].filter((state) => state.status === 'running');
        const capacity = sumOver(running, (state) => state.concurrency);
        this.set(capacity === 0 ? 0 : sumOver(running, countActive) / capacity);
      },
    });
    new Gauge({
      name: 'ai_collab_plan_completion_ratio',
      help: 'Runs that succeeded divided by runs that ended, since the server started.',
      registers,
      collect() {
        this.set(finished.#finishedRuns === 0 ? 0 : finished.#succeededRuns / finished.#finishedRuns);
      },
    });
  }
}

function countActive(state: Readonly<RunState>): number {
  let count = 0;
  for (const status of activeStatuses) count += state.counts[status as keyof RunState['counts']] ?? 0;
  return count;
}

function sumOver<T>(items: Iterable<T>, value: (item: T) => number): number {
  let sum = 0;
  for (const item of items) sum += value(item);
  return sum;
}
