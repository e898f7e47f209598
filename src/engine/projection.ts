/**
 * Run state as a fold over events. Deterministic and free of I/O and Node APIs, so the engine, the CLI,
 * the dashboard and the VS Code extension all derive the same state from the same log.
 *
 * `applyEvent` updates the state in place for speed (plans may hold 100,000 steps) but replaces each
 * changed step object, so views can detect changes by identity.
 */

import type { PlanDefinition } from '../protocol/plan-types.js';
import type { RunEvent } from './events.js';
import {
  type RunState,
  type StepState,
  type StepStatus,
  settledStepStatuses,
  stepStatuses,
} from './run-state.js';
import { applyStepEvent, newStepState, type RunEventOf, step } from './step-projection.js';

export function createRunState(event: RunEventOf<'run.created'>): RunState {
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
      runApproved(state, event);
      return;
    case 'run.rejected':
      runRejected(state, event);
      return;
    case 'run.started':
      runStarted(state, event);
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
    case 'run.applied':
      state.applied ??= { ...event.data, at: event.at };
      return;
    case 'run.discarded':
      state.discarded ??= { ...event.data, at: event.at };
      return;
    default:
      // Every other event is a step's: its own exhaustive switch.
      applyStepEvent(state, event);
  }
}

function runApproved(state: RunState, event: RunEventOf<'run.approved'>): void {
  state.status = 'pending';
  state.approvedBy = event.data.by;
  delete state.approvalReason;
}

function runRejected(state: RunState, event: RunEventOf<'run.rejected'>): void {
  state.rejected = {
    by: event.data.by,
    ...(event.data.reason !== undefined && { reason: event.data.reason }),
  };
  delete state.approvalReason;
}

function runStarted(state: RunState, event: RunEventOf<'run.started'>): void {
  state.status = 'running';
  delete state.budgetReached;
  state.startedAt ??= event.at;
  delete state.finishedAt;
  state.owner = event.data.owner;
  delete state.interruptReason;
}

/** Only the first decision after the request counts: a later one (it should never be stored) changes nothing. */
function applyDecision(state: RunState, event: RunEventOf<'run.approval-decided'>): void {
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

export function isRunSettled(state: RunState): boolean {
  return state.order.every((id) => settledStepStatuses.has(step(state, id).status));
}
