/**
 * What the executor records when an attempt ends, one function per kind of ending: a success hands its
 * dependents on, a stop is an interruption or a cancel, a conflict may bring its resolution step, and a
 * failure fails over, parks at a usage limit, retries with backoff or fails the step for good.
 */

import type { StepFailure } from '../agents/agent.js';
import type { ProviderBackoff } from '../limits/provider-backoff.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { Clock } from '../support/clock.js';
import { capText, maxOutputChars } from './attempt-record.js';
import { spendSampleOf } from './budget/priced-usage.js';
import type { RunBudget } from './budget/run-budget.js';
import { candidatesToCancel } from './choice/cancel-candidates.js';
import { parkUntil, type StepFailover } from './choice/step-failover.js';
import { toErrorInfo } from './error-info.js';
import { reportRateLimit, retryDelay } from './retry-policy.js';
import type { RunRecorder } from './run-recorder.js';
import type { AttemptOutcome, StepAttempt } from './step-attempt.js';

/** The parts of the executor a settled attempt acts on. */
export interface SettleHost {
  readonly recorder: RunRecorder;
  readonly deps: { clock: Clock; random: () => number; providers: ProviderBackoff };
  readonly failover: StepFailover;
  readonly budget: RunBudget;
  isStopping(): boolean;
  /** Why the run is stopping, for the steps it interrupts. */
  stopReason(): string | undefined;
  /** Why a candidate was cancelled on its own, if it was. */
  cancelReason(id: string): string | undefined;
  enqueue(id: string): void;
  scheduleRetry(id: string, delayMs: number): void;
  cancelCandidate(id: string, reason: string): void;
  addStep(step: StepDefinition, resolves: string): void;
  tripFailFast(): void;
}

type Ended<Kind extends AttemptOutcome['kind']> = Extract<AttemptOutcome, { kind: Kind }>;
type Failed = Ended<'failed'> | Ended<'rejected'>;

export function settleAttempt(host: SettleHost, id: string, attempt: StepAttempt, raw: AttemptOutcome): void {
  // Priced here, in the executor, so every agent (and every worker) is held to the same prices.
  const outcome = host.budget.pricedOutcome(attempt.step.agent, raw);
  if (outcome.kind === 'succeeded') settleSucceeded(host, id, attempt, outcome);
  else if (outcome.kind === 'stopped') settleStopped(host, id, attempt, outcome);
  else if (outcome.kind === 'conflicted') settleConflicted(host, id, attempt, outcome);
  else settleFailed(host, id, attempt, outcome);
}

function settleSucceeded(
  host: SettleHost,
  id: string,
  attempt: StepAttempt,
  outcome: Ended<'succeeded'>,
): void {
  const { recorder } = host;
  const { agent, action } = attempt.step;
  host.deps.providers.succeeded(agent);
  if (outcome.usage) host.budget.learn(attempt.step, outcome.usage);
  recorder.record(
    {
      type: 'step.succeeded',
      data: {
        stepId: id,
        attempt: attempt.attempt,
        durationMs: outcome.durationMs,
        ...(outcome.output !== '' && { output: capText(outcome.output, maxOutputChars) }),
        ...(outcome.usage && { usage: outcome.usage }),
        ...(outcome.sessionId && { sessionId: outcome.sessionId }),
        ...(outcome.filesChanged && { filesChanged: outcome.filesChanged.slice(0, 1_000) }),
        ...(outcome.change && {
          startCommit: outcome.change.startCommit,
          resultCommit: outcome.change.resultCommit,
        }),
      },
    },
    {
      agent,
      action: action ?? 'execute',
      durationMs: outcome.durationMs,
      finishedAt: host.deps.clock.now(),
      ...spendSampleOf(outcome.usage),
    },
  );
  for (const sibling of candidatesToCancel(recorder.state, id))
    host.cancelCandidate(sibling.id, sibling.reason);
  const resolves = recorder.state.steps[id]?.resolves;
  if (resolves !== undefined) recorder.record({ type: 'step.resolved', data: { stepId: resolves, by: id } });
  for (const done of resolves === undefined ? [id] : [id, resolves]) {
    for (const dependent of recorder.state.steps[done]?.dependents ?? []) {
      if (recorder.state.steps[dependent]?.status === 'ready') host.enqueue(dependent);
    }
  }
}

function settleStopped(host: SettleHost, id: string, attempt: StepAttempt, outcome: Ended<'stopped'>): void {
  if (outcome.reason !== 'cancel')
    host.recorder.record({
      type: 'step.interrupted',
      data: { stepId: id, attempt: attempt.attempt, reason: host.stopReason() ?? 'interrupted' },
    });
  else
    host.recorder.record({
      type: 'step.cancelled',
      data: { stepId: id, reason: host.cancelReason(id) ?? 'run cancelled' },
    });
  enqueueReadyPick(host, id);
}

function settleConflicted(
  host: SettleHost,
  id: string,
  attempt: StepAttempt,
  outcome: Ended<'conflicted'>,
): void {
  const resolution = outcome.resolution;
  if (resolution) host.addStep(resolution, id);
  host.recorder.record({
    type: 'step.conflicted',
    data: {
      stepId: id,
      attempt: attempt.attempt,
      files: outcome.files,
      message: outcome.message,
      ...(resolution && { resolvedBy: resolution.id }),
    },
  });
  if (resolution) {
    if (host.recorder.state.steps[resolution.id]?.status === 'ready') host.enqueue(resolution.id);
  } else if (host.recorder.state.failFast) host.tripFailFast();
}

function settleFailed(host: SettleHost, id: string, attempt: StepAttempt, outcome: Failed): void {
  const { recorder, deps } = host;
  const data = { stepId: id, attempt: attempt.attempt };
  const failure: StepFailure =
    outcome.kind === 'rejected'
      ? {
          code: 'REVIEW_REJECTED',
          kind: 'transient',
          message: `rejected by the reviewers: ${outcome.reason}`,
        }
      : outcome.failure;
  // Every 429 pauses the provider for all its steps, also one this step has no retry left for.
  const providerResumesAt = reportRateLimit(attempt.step, failure, deps.providers);
  const feedback =
    outcome.kind === 'rejected' || outcome.feedback !== undefined ? { feedback: outcome.feedback } : {};
  const error = toErrorInfo(failure);
  const step = recorder.state.steps[id];
  const now = deps.clock.now();
  if (!host.isStopping() && host.failover.afterFailure(id, failure)) {
    host.enqueue(id);
    return;
  }
  if (failure.kind === 'usage-limit' && !host.isStopping()) {
    // A subscription's usage limit is not the step's fault: wait for the reset, spend no retry.
    const until = parkUntil(failure, now);
    const window = failure.limitWindow !== undefined ? { window: failure.limitWindow } : {};
    const parked = { ...data, until, reason: failure.message, agent: attempt.step.agent, ...window };
    recorder.record({ type: 'step.parked', data: parked });
    host.scheduleRetry(id, until - now);
    return;
  }
  const spent = (step?.failures ?? 0) - (step?.failuresBeforeRetry ?? 0);
  const retriesLeft = attempt.step.retries - spent;
  const usage = outcome.usage && { usage: outcome.usage };
  if (failure.kind !== 'permanent' && retriesLeft > 0 && !host.isStopping()) {
    const delay = retryDelay(attempt.step, failure, spent + 1, providerResumesAt, deps);
    recorder.record({
      type: 'step.attempt-failed',
      data: { ...data, error, retryAt: deps.clock.now() + delay, ...usage, ...feedback },
    });
    host.scheduleRetry(id, delay);
    return;
  }
  recorder.record({ type: 'step.failed', data: { ...data, error, ...usage } });
  enqueueReadyPick(host, id);
  if (recorder.state.failFast && recorder.state.steps[id]?.candidateOf === undefined) host.tripFailFast();
}

/** A candidate that ended without passing may leave its best-of-N step nothing more to wait for. */
function enqueueReadyPick(host: SettleHost, candidateId: string): void {
  const parentId = host.recorder.state.steps[candidateId]?.candidateOf ?? '';
  if (host.recorder.state.steps[parentId]?.status === 'ready') host.enqueue(parentId);
}
