/**
 * The step events' part of the run projection (`projection.ts`): how each step event changes its step and
 * the steps around it. Free of I/O and Node APIs like the projection, so the dashboard runs it too.
 */

import type { StepDefinition } from '../protocol/plan-types.js';
import { assertNever } from '../support/errors.js';
import { addSpend } from './budget/spend.js';
import type { RunEvent } from './events.js';
import { type RunState, type StepState, settledStepStatuses } from './run-state.js';
import { addUsage } from './step-usage.js';

/** The event of one type, as the projection receives it. */
export type RunEventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
export type StepEvent = Extract<RunEvent, { type: `step.${string}` }>;

export function applyStepEvent(state: RunState, event: StepEvent): void {
  switch (event.type) {
    case 'step.started':
      stepStarted(state, event);
      return;
    case 'step.worker-assigned':
      stepWorkerAssigned(state, event);
      return;
    case 'step.process-started':
      stepProcessStarted(state, event);
      return;
    case 'step.succeeded':
      stepSucceeded(state, event);
      return;
    case 'step.attempt-failed':
      stepAttemptFailed(state, event);
      return;
    case 'step.failed':
      stepFailed(state, event);
      return;
    case 'step.parked':
      stepParked(state, event);
      return;
    case 'step.failed-over':
      stepFailedOver(state, event);
      return;
    case 'step.candidate-picked':
      stepCandidatePicked(state, event);
      return;
    case 'step.workspace-prepared':
      stepWorkspacePrepared(state, event);
      return;
    case 'step.stage-started':
      stepStageStarted(state, event);
      return;
    case 'step.stage-passed':
      stepStagePassed(state, event);
      return;
    case 'step.review-vote':
      stepReviewVote(state, event);
      return;
    case 'step.conflicted':
      stepConflicted(state, event);
      return;
    case 'step.added':
      stepAdded(state, event);
      return;
    case 'step.resolved':
      stepResolved(state, event);
      return;
    case 'step.retry-requested':
      stepRetryRequested(state, event);
      return;
    case 'step.interrupted':
      stepInterrupted(state, event);
      return;
    case 'step.setup-finished':
      stepSetupFinished(state, event);
      return;
    case 'step.cancelled':
      stepCancelled(state, event);
      return;
    case 'step.waiting':
    case 'step.waiting-ended':
    case 'step.stale-report':
      remoteFact(state, event);
      return;
    default:
      assertNever(event, 'run event');
  }
}

export function newStepState(step: StepDefinition): StepState {
  return {
    id: step.id,
    label: step.label,
    agent: step.agent,
    ...(step.action !== undefined && { action: step.action }),
    needs: step.needs,
    dependents: [],
    waitingOn: step.needs.length,
    status: step.needs.length === 0 ? 'ready' : 'pending',
    attempts: 0,
    failures: 0,
    ...(step.pick !== undefined && { pick: step.pick }),
    ...(step.candidates !== undefined && { candidates: step.candidates }),
    ...(step.candidateOf !== undefined && { candidateOf: step.candidateOf }),
  };
}

function stepStarted(state: RunState, event: RunEventOf<'step.started'>): void {
  const {
    error: _error,
    retryAt: _retryAt,
    finishedAt: _finishedAt,
    process: _process,
    worker: _worker,
    parkedReason: _parkedReason,
    waitingReason: _waitingReason,
    votes: _votes,
    // Stage facts (review verdict, merge commit) belong to the attempt that passed the stage.
    stageDetail: _stageDetail,
    feedback: _feedback,
    ...rest
  } = step(state, event.data.stepId);
  setStep(state, rest, { status: 'running', attempts: event.data.attempt, startedAt: event.at });
}

/** Distributed mode's facts about an attempt: only waiting changes what the step shows. */
function remoteFact(
  state: RunState,
  event: RunEventOf<'step.waiting' | 'step.waiting-ended' | 'step.stale-report'>,
): void {
  const current = state.steps[event.data.stepId];
  // A fact of an earlier attempt (or a step the plan no longer has) changes nothing.
  if (!current || current.attempts !== event.data.attempt) return;
  if (event.type === 'step.waiting') setStep(state, current, { waitingReason: event.data.reason });
  else if (event.type === 'step.waiting-ended') {
    const { waitingReason: _waiting, ...rest } = current;
    setStep(state, rest);
  }
}

function stepProcessStarted(state: RunState, event: RunEventOf<'step.process-started'>): void {
  setStep(state, step(state, event.data.stepId), {
    process: event.data.process,
    logFile: event.data.logFile,
  });
}

/** A worker took the step's current attempt (a later assignment of the same attempt replaces it). */
function stepWorkerAssigned(state: RunState, event: RunEventOf<'step.worker-assigned'>): void {
  const current = step(state, event.data.stepId);
  if (current.attempts !== event.data.attempt) return;
  setStep(state, current, { worker: { worker: event.data.worker, host: event.data.host } });
}

function stepSucceeded(state: RunState, event: RunEventOf<'step.succeeded'>): void {
  if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
  const { startCommit: _start, resultCommit: _result, ...current } = step(state, event.data.stepId);
  const { startCommit, resultCommit } = event.data;
  setStep(state, current, {
    ...(startCommit !== undefined && resultCommit !== undefined && { startCommit, resultCommit }),
    status: 'succeeded',
    finishedAt: event.at,
    durationMs: event.data.durationMs,
    ...(event.data.output !== undefined && { output: event.data.output }),
    ...(event.data.usage && { usage: addUsage(current.usage, event.data.usage) }),
    ...(event.data.sessionId !== undefined && { sessionId: event.data.sessionId }),
    ...(event.data.filesChanged !== undefined && { filesChanged: event.data.filesChanged }),
  });
  for (const dependentId of current.dependents) {
    const dependent = step(state, dependentId);
    // `pick: first` goes as soon as one candidate passed; a later one no longer counts.
    if (dependent.pick === 'first' && current.candidateOf === dependentId) {
      if (dependent.status === 'pending') setStep(state, dependent, { waitingOn: 0, status: 'ready' });
      continue;
    }
    const waitingOn = dependent.waitingOn - 1;
    const status = waitingOn === 0 && dependent.status === 'pending' ? 'ready' : dependent.status;
    setStep(state, dependent, { waitingOn, status });
  }
}

function stepAttemptFailed(state: RunState, event: RunEventOf<'step.attempt-failed'>): void {
  if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
  setStep(state, step(state, event.data.stepId), {
    ...(event.data.feedback !== undefined && { feedback: event.data.feedback }),
    ...(event.data.usage && { usage: addUsage(step(state, event.data.stepId).usage, event.data.usage) }),
    status: 'retrying',
    failures: step(state, event.data.stepId).failures + 1,
    error: event.data.error,
    retryAt: event.data.retryAt,
    finishedAt: event.at,
  });
}

function stepFailed(state: RunState, event: RunEventOf<'step.failed'>): void {
  const current = step(state, event.data.stepId);
  const { retryAt: _retryAt, ...rest } = current;
  if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
  setStep(state, rest, {
    ...(event.data.usage && { usage: addUsage(current.usage, event.data.usage) }),
    status: 'failed',
    failures: current.failures + 1,
    error: event.data.error,
    finishedAt: event.at,
  });
  // A failed candidate blocks nothing: its best-of-N step picks among the others.
  if (current.candidateOf !== undefined) candidateSettled(state, current.candidateOf);
  else blockDependents(state, current.id);
  // A failed resolution leaves the conflict to a person: what waited on the conflicted step is blocked.
  if (current.resolves !== undefined) blockDependents(state, current.resolves);
}

function stepParked(state: RunState, event: RunEventOf<'step.parked'>): void {
  const { agent, window, until, reason } = event.data;
  setStep(state, step(state, event.data.stepId), {
    status: 'retrying',
    retryAt: until,
    parkedReason: reason,
    finishedAt: event.at,
  });
  if (agent !== undefined)
    state.agentLimits = {
      ...state.agentLimits,
      [agent]: { until, reason, ...(window !== undefined && { window }) },
    };
}

function stepFailedOver(state: RunState, event: RunEventOf<'step.failed-over'>): void {
  const { from, to, cause, reason, until, window } = event.data;
  const current = step(state, event.data.stepId);
  setStep(state, current, {
    agent: to,
    failedOver: [
      ...(current.failedOver ?? []),
      {
        from,
        to,
        cause,
        reason,
        at: event.at,
        ...(until !== undefined && { until }),
        ...(window !== undefined && { window }),
      },
    ],
  });
  if (until !== undefined)
    state.agentLimits = {
      ...state.agentLimits,
      [from]: { until, reason, ...(window !== undefined && { window }) },
    };
}

function stepCandidatePicked(state: RunState, event: RunEventOf<'step.candidate-picked'>): void {
  setStep(state, step(state, event.data.stepId), {
    picked: event.data.candidate,
    ranking: event.data.ranking,
  });
}

function stepWorkspacePrepared(state: RunState, event: RunEventOf<'step.workspace-prepared'>): void {
  const { detail } = event.data;
  setStep(state, step(state, event.data.stepId), {
    cwd: event.data.cwd,
    ...(detail !== undefined && { workspaceDetail: detail }),
  });
}

/** verify and check run while the step still counts as running; review and merge have states of their own. */
const stageStatus = { verify: 'running', check: 'running', review: 'reviewing', merge: 'merging' } as const;

function stepStageStarted(state: RunState, event: RunEventOf<'step.stage-started'>): void {
  setStep(state, step(state, event.data.stepId), { status: stageStatus[event.data.stage] });
}

function stepStagePassed(state: RunState, event: RunEventOf<'step.stage-passed'>): void {
  const current = step(state, event.data.stepId);
  const { detail } = event.data;
  if (detail !== undefined) {
    setStep(state, current, { stageDetail: { ...current.stageDetail, [event.data.stage]: detail } });
  }
}

function stepReviewVote(state: RunState, event: RunEventOf<'step.review-vote'>): void {
  const current = step(state, event.data.stepId);
  const { stepId: _stepId, attempt: _attempt, ...vote } = event.data;
  setStep(state, current, { votes: [...(current.votes ?? []), vote] });
}

function stepConflicted(state: RunState, event: RunEventOf<'step.conflicted'>): void {
  const { resolvedBy } = event.data;
  setStep(state, step(state, event.data.stepId), {
    status: 'conflicted',
    conflictFiles: event.data.files,
    error: { code: 'MERGE_CONFLICT', kind: 'permanent', message: event.data.message },
    finishedAt: event.at,
    ...(resolvedBy !== undefined && { resolvedBy }),
  });
  // With a resolution step under way its dependents keep waiting; without one they are blocked.
  if (resolvedBy === undefined) blockDependents(state, event.data.stepId);
}

function stepAdded(state: RunState, event: RunEventOf<'step.added'>): void {
  const { step: definition, resolves } = event.data;
  state.plan = { ...state.plan, steps: [...state.plan.steps, definition] };
  state.steps[definition.id] = { ...newStepState(definition), resolves };
  state.order.push(definition.id);
  state.counts[state.steps[definition.id]?.status ?? 'pending']++;
  for (const need of definition.needs) state.steps[need]?.dependents.push(definition.id);
}

function stepResolved(state: RunState, event: RunEventOf<'step.resolved'>): void {
  const resolved = step(state, event.data.stepId);
  const { error: _error, conflictFiles: _conflictFiles, ...rest } = resolved;
  setStep(state, rest, { status: 'succeeded', resolvedBy: event.data.by, finishedAt: event.at });
  for (const dependentId of resolved.dependents) {
    const dependent = step(state, dependentId);
    const waitingOn = dependent.waitingOn - 1;
    setStep(state, dependent, {
      waitingOn,
      status: waitingOn === 0 && dependent.status === 'pending' ? 'ready' : dependent.status,
    });
  }
}

function stepRetryRequested(state: RunState, event: RunEventOf<'step.retry-requested'>): void {
  const current = step(state, event.data.stepId);
  const {
    error: _error,
    blockedBy: _blockedBy,
    conflictFiles: _conflictFiles,
    finishedAt: _finishedAt,
    ...rest
  } = current;
  setStep(state, rest, {
    failuresBeforeRetry: current.failures,
    status: current.waitingOn === 0 ? 'ready' : 'pending',
  });
  unblockDependents(state, current.id);
}

function stepInterrupted(state: RunState, event: RunEventOf<'step.interrupted'>): void {
  const { process: _process, ...rest } = step(state, event.data.stepId);
  setStep(state, rest, { status: 'interrupted', finishedAt: event.at });
}

function stepSetupFinished(state: RunState, event: RunEventOf<'step.setup-finished'>): void {
  setStep(state, step(state, event.data.stepId), {
    setupMs: event.data.durationMs,
    ...(event.data.portBase !== undefined && { portBase: event.data.portBase }),
  });
}

function stepCancelled(state: RunState, event: RunEventOf<'step.cancelled'>): void {
  const { retryAt: _retryAt, ...rest } = step(state, event.data.stepId);
  setStep(state, rest, { status: 'cancelled', finishedAt: event.at });
  if (rest.candidateOf !== undefined) candidateSettled(state, rest.candidateOf);
}

export function step(state: RunState, id: string): StepState {
  const found = state.steps[id];
  if (!found) throw new Error(`event for unknown step "${id}" in run ${state.runId}`);
  return found;
}

/**
 * Replaces a step with `base` plus `changes`, as a new object (views detect a change by identity). Made by
 * Object.assign, not by a spread: on Node 20's V8 a spread that adds a key gives every object it makes a
 * hidden class of its own (about 380 bytes), and a 100,000-step run kept 100,000 of them alive (37 MB).
 */
function setStep(state: RunState, base: StepState, changes?: Partial<StepState>): void {
  const next: StepState = changes ? Object.assign({}, base, changes) : base;
  const previous = state.steps[next.id];
  if (previous && previous.status !== next.status) {
    state.counts[previous.status]--;
    state.counts[next.status]++;
  }
  state.steps[next.id] = next;
}

/** A candidate ended without passing: its best-of-N step waits for one fewer (and picks once none is left). */
function candidateSettled(state: RunState, pickId: string): void {
  const pick = step(state, pickId);
  if (pick.status !== 'pending') return;
  const waitingOn = Math.max(0, pick.waitingOn - 1);
  setStep(state, pick, { waitingOn, status: waitingOn === 0 ? 'ready' : 'pending' });
}

/** Every step downstream of a failure is blocked, naming the failed step; nothing is silently skipped. */
function blockDependents(state: RunState, failedId: string): void {
  const queue = [...step(state, failedId).dependents];
  // The loop also visits what it appends: the queue grows as the blocking spreads downstream.
  for (const dependentId of queue) {
    const dependent = step(state, dependentId);
    if (settledStepStatuses.has(dependent.status) || dependent.status === 'running') continue;
    setStep(state, dependent, { status: 'blocked', blockedBy: failedId });
    queue.push(...dependent.dependents);
  }
}

/** Steps blocked by `retriedId` wait on it again (pending), since it will run once more. */
function unblockDependents(state: RunState, retriedId: string): void {
  for (const id of state.order) {
    const dependent = step(state, id);
    if (dependent.status !== 'blocked' || dependent.blockedBy !== retriedId) continue;
    const { blockedBy: _blockedBy, ...rest } = dependent;
    setStep(state, rest, { status: 'pending' });
  }
}
