/**
 * Run state as a fold over events. Deterministic and free of I/O and Node APIs, so the engine, the CLI,
 * the dashboard and the VS Code extension all derive the same state from the same log.
 *
 * `applyEvent` updates the state in place for speed (plans may hold 100,000 steps) but replaces each
 * changed step object, so views can detect changes by identity.
 */

import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import { assertNever } from '../support/errors.js';
import { addSpend } from './budget/spend.js';
import type { RunEvent } from './events.js';
import {
  type RunState,
  type StepState,
  type StepStatus,
  settledStepStatuses,
  stepStatuses,
} from './run-state.js';
import { addUsage } from './step-usage.js';

export function createRunState(event: Extract<RunEvent, { type: 'run.created' }>): RunState {
  const { plan, workspace, planFile, concurrency, failFast } = event.data;
  return {
    runId: event.runId,
    workspace,
    planFile,
    concurrency,
    failFast,
    status: 'pending',
    createdAt: event.at,
    lastSeq: event.seq,
    ...(plan.budget !== undefined && { budget: plan.budget }),
    ...stepsOf(plan),
  };
}

function newStepState(step: StepDefinition): StepState {
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

/** The plan-derived part of the state: every step pending (or ready when it needs nothing). */
function stepsOf(plan: PlanDefinition): Pick<RunState, 'name' | 'plan' | 'steps' | 'order' | 'counts'> {
  const steps: Record<string, StepState> = Object.create(null);
  const counts = Object.fromEntries(stepStatuses.map((status) => [status, 0])) as Record<StepStatus, number>;
  for (const step of plan.steps) steps[step.id] = newStepState(step);
  for (const step of plan.steps) {
    for (const dependency of step.needs) steps[dependency]?.dependents.push(step.id);
  }
  for (const step of Object.values(steps)) counts[step.status]++;
  return { name: plan.name, plan, steps, order: plan.steps.map((step) => step.id), counts };
}

export function replayEvents(events: Iterable<RunEvent>): RunState | undefined {
  let state: RunState | undefined;
  for (const event of events) {
    if (!state) {
      if (event.type !== 'run.created') throw new Error(`run log starts with ${event.type}, not run.created`);
      state = createRunState(event);
    } else applyEvent(state, event);
  }
  return state;
}

export function applyEvent(state: RunState, event: RunEvent): void {
  state.lastSeq = event.seq;
  switch (event.type) {
    case 'run.created':
      return;
    case 'run.workspace-prepared':
      state.workspaceDetail = event.data.detail;
      return;
    case 'run.workspace-finished':
      state.workspaceSummary = event.data.summary;
      return;
    case 'run.approval-requested':
      state.status = 'awaiting_approval';
      state.approvalReason = event.data.reason;
      return;
    case 'run.approval-decided':
      applyDecision(state, event);
      return;
    case 'run.plan-replaced':
      Object.assign(state, stepsOf(event.data.plan), planBudget(event.data.plan));
      return;
    case 'run.approved':
      state.status = 'pending';
      state.approvedBy = event.data.by;
      delete state.approvalReason;
      return;
    case 'run.rejected':
      state.rejected = {
        by: event.data.by,
        ...(event.data.reason !== undefined && { reason: event.data.reason }),
      };
      delete state.approvalReason;
      return;
    case 'run.started':
      state.status = 'running';
      delete state.budgetReached;
      state.startedAt ??= event.at;
      delete state.finishedAt;
      state.owner = event.data.owner;
      delete state.interruptReason;
      return;
    case 'run.paused':
      state.status = 'paused';
      return;
    case 'run.budget-set':
      state.budget = event.data.budget;
      return;
    case 'run.budget-reached':
      state.status = 'paused';
      state.budgetReached = { at: event.at, ...event.data };
      delete state.owner;
      return;
    case 'run.resumed':
      state.status = 'running';
      return;
    case 'run.interrupted':
      state.status = 'interrupted';
      state.interruptReason = event.data.reason;
      delete state.owner;
      return;
    case 'run.finished':
      state.status = event.data.status;
      state.finishedAt = event.at;
      delete state.owner;
      return;
    case 'step.started': {
      const {
        error: _error,
        retryAt: _retryAt,
        finishedAt: _finishedAt,
        process: _process,
        parkedReason: _parkedReason,
        votes: _votes,
        // Stage facts (review verdict, merge commit) belong to the attempt that passed the stage.
        stageDetail: _stageDetail,
        feedback: _feedback,
        ...rest
      } = step(state, event.data.stepId);
      setStep(state, { ...rest, status: 'running', attempts: event.data.attempt, startedAt: event.at });
      return;
    }
    case 'step.process-started':
      setStep(state, {
        ...step(state, event.data.stepId),
        process: event.data.process,
        logFile: event.data.logFile,
      });
      return;
    case 'step.succeeded': {
      if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
      const { startCommit: _start, resultCommit: _result, ...current } = step(state, event.data.stepId);
      const { startCommit, resultCommit } = event.data;
      setStep(state, {
        ...current,
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
          if (dependent.status === 'pending') setStep(state, { ...dependent, waitingOn: 0, status: 'ready' });
          continue;
        }
        const waitingOn = dependent.waitingOn - 1;
        const status = waitingOn === 0 && dependent.status === 'pending' ? 'ready' : dependent.status;
        setStep(state, { ...dependent, waitingOn, status });
      }
      return;
    }
    case 'step.attempt-failed':
      if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
      setStep(state, {
        ...step(state, event.data.stepId),
        ...(event.data.feedback !== undefined && { feedback: event.data.feedback }),
        ...(event.data.usage && { usage: addUsage(step(state, event.data.stepId).usage, event.data.usage) }),
        status: 'retrying',
        failures: step(state, event.data.stepId).failures + 1,
        error: event.data.error,
        retryAt: event.data.retryAt,
        finishedAt: event.at,
      });
      return;
    case 'step.failed': {
      const current = step(state, event.data.stepId);
      const { retryAt: _retryAt, ...rest } = current;
      if (event.data.usage) state.spent = addSpend(state.spent, event.data.usage);
      setStep(state, {
        ...rest,
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
      return;
    }
    case 'step.parked': {
      const { agent, window, until, reason } = event.data;
      setStep(state, {
        ...step(state, event.data.stepId),
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
      return;
    }
    case 'step.failed-over': {
      const { from, to, cause, reason, until, window } = event.data;
      const current = step(state, event.data.stepId);
      setStep(state, {
        ...current,
        agent: to,
        failedOver: [...(current.failedOver ?? []), { from, to, cause, reason, at: event.at }],
      });
      if (until !== undefined)
        state.agentLimits = {
          ...state.agentLimits,
          [from]: { until, reason, ...(window !== undefined && { window }) },
        };
      return;
    }
    case 'step.candidate-picked':
      setStep(state, {
        ...step(state, event.data.stepId),
        picked: event.data.candidate,
        ranking: event.data.ranking,
      });
      return;
    case 'step.workspace-prepared': {
      const { detail } = event.data;
      setStep(state, {
        ...step(state, event.data.stepId),
        cwd: event.data.cwd,
        ...(detail !== undefined && { workspaceDetail: detail }),
      });
      return;
    }
    case 'step.stage-started':
      setStep(state, {
        ...step(state, event.data.stepId),
        status: stageStatus[event.data.stage],
      });
      return;
    case 'step.stage-passed': {
      const current = step(state, event.data.stepId);
      const { detail } = event.data;
      if (detail !== undefined) {
        setStep(state, { ...current, stageDetail: { ...current.stageDetail, [event.data.stage]: detail } });
      }
      return;
    }
    case 'step.review-vote': {
      const current = step(state, event.data.stepId);
      const { stepId: _stepId, attempt: _attempt, ...vote } = event.data;
      setStep(state, { ...current, votes: [...(current.votes ?? []), vote] });
      return;
    }
    case 'step.conflicted': {
      const { resolvedBy } = event.data;
      setStep(state, {
        ...step(state, event.data.stepId),
        status: 'conflicted',
        conflictFiles: event.data.files,
        error: { code: 'MERGE_CONFLICT', kind: 'permanent', message: event.data.message },
        finishedAt: event.at,
        ...(resolvedBy !== undefined && { resolvedBy }),
      });
      // With a resolution step under way its dependents keep waiting; without one they are blocked.
      if (resolvedBy === undefined) blockDependents(state, event.data.stepId);
      return;
    }
    case 'step.added': {
      const { step: definition, resolves } = event.data;
      state.plan = { ...state.plan, steps: [...state.plan.steps, definition] };
      state.steps[definition.id] = { ...newStepState(definition), resolves };
      state.order.push(definition.id);
      state.counts[state.steps[definition.id]?.status ?? 'pending']++;
      for (const need of definition.needs) state.steps[need]?.dependents.push(definition.id);
      return;
    }
    case 'step.resolved': {
      const resolved = step(state, event.data.stepId);
      const { error: _error, conflictFiles: _conflictFiles, ...rest } = resolved;
      setStep(state, { ...rest, status: 'succeeded', resolvedBy: event.data.by, finishedAt: event.at });
      for (const dependentId of resolved.dependents) {
        const dependent = step(state, dependentId);
        const waitingOn = dependent.waitingOn - 1;
        setStep(state, {
          ...dependent,
          waitingOn,
          status: waitingOn === 0 && dependent.status === 'pending' ? 'ready' : dependent.status,
        });
      }
      return;
    }
    case 'step.retry-requested': {
      const current = step(state, event.data.stepId);
      const {
        error: _error,
        blockedBy: _blockedBy,
        conflictFiles: _conflictFiles,
        finishedAt: _finishedAt,
        ...rest
      } = current;
      setStep(state, {
        ...rest,
        failuresBeforeRetry: current.failures,
        status: current.waitingOn === 0 ? 'ready' : 'pending',
      });
      unblockDependents(state, current.id);
      return;
    }
    case 'step.interrupted': {
      const { process: _process, ...rest } = step(state, event.data.stepId);
      setStep(state, { ...rest, status: 'interrupted', finishedAt: event.at });
      return;
    }
    case 'step.setup-finished':
      setStep(state, {
        ...step(state, event.data.stepId),
        setupMs: event.data.durationMs,
        ...(event.data.portBase !== undefined && { portBase: event.data.portBase }),
      });
      return;
    case 'step.cancelled': {
      const { retryAt: _retryAt, ...rest } = step(state, event.data.stepId);
      setStep(state, { ...rest, status: 'cancelled', finishedAt: event.at });
      if (rest.candidateOf !== undefined) candidateSettled(state, rest.candidateOf);
      return;
    }
    default:
      assertNever(event, 'run event');
  }
}

/** Only the first decision after the request counts: a later one (it should never be stored) changes nothing. */
function applyDecision(state: RunState, event: Extract<RunEvent, { type: 'run.approval-decided' }>): void {
  if (state.status !== 'awaiting_approval') return;
  const { decision, by, reason, plan } = event.data;
  delete state.approvalReason;
  if (decision === 'rejected') {
    state.rejected = { by, ...(reason !== undefined && { reason }) };
    state.status = 'cancelled';
    state.finishedAt = event.at;
    delete state.owner;
    return;
  }
  if (plan !== undefined) Object.assign(state, stepsOf(plan), planBudget(plan));
  state.status = 'pending';
  state.approvedBy = by;
}

/** An edited plan brings its own budget (or none). */
function planBudget(plan: PlanDefinition): Pick<RunState, 'budget'> {
  return { budget: plan.budget };
}

function step(state: RunState, id: string): StepState {
  const found = state.steps[id];
  if (!found) throw new Error(`event for unknown step "${id}" in run ${state.runId}`);
  return found;
}

function setStep(state: RunState, next: StepState): void {
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
  setStep(state, { ...pick, waitingOn, status: waitingOn === 0 ? 'ready' : 'pending' });
}

/** Every step downstream of a failure is blocked, naming the failed step; nothing is silently skipped. */
function blockDependents(state: RunState, failedId: string): void {
  const queue = [...step(state, failedId).dependents];
  for (let head = 0; head < queue.length; head++) {
    const dependent = step(state, queue[head] as string);
    if (settledStepStatuses.has(dependent.status) || dependent.status === 'running') continue;
    setStep(state, { ...dependent, status: 'blocked', blockedBy: failedId });
    queue.push(...dependent.dependents);
  }
}

/** Steps blocked by `retriedId` wait on it again (pending), since it will run once more. */
function unblockDependents(state: RunState, retriedId: string): void {
  for (const id of state.order) {
    const dependent = step(state, id);
    if (dependent.status !== 'blocked' || dependent.blockedBy !== retriedId) continue;
    const { blockedBy: _blockedBy, ...rest } = dependent;
    setStep(state, { ...rest, status: 'pending' });
  }
}

export function isRunSettled(state: RunState): boolean {
  return state.order.every((id) => settledStepStatuses.has(step(state, id).status));
}

/** verify and check run while the step still counts as running; review and merge have states of their own. */
const stageStatus = { verify: 'running', check: 'running', review: 'reviewing', merge: 'merging' } as const;
