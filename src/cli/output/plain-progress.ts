/** Progress for logs and CI: one timestamped line per step event, no cursor movement, no animation. */
import type { EventData, RunEvent } from '../../engine/events.js';
import { landingText } from '../../engine/run-landing.js';
import type { RunState } from '../../engine/run-state.js';
import type { StepEvent } from '../../engine/step-projection.js';
import { terminalSafe } from '../../support/control-characters.js';
import { formatDuration } from '../../support/format-duration.js';
import { budgetReachedText, budgetText } from './budget-text.js';
import { clockTime, failedOverText } from './choice-text.js';
import { remoteFactText } from './remote-fact-text.js';
import { labelOf } from './step-notes.js';

export function describeEvent(event: RunEvent, state: RunState): string | undefined {
  const text = isStepEvent(event) ? stepEventText(event, state) : runEventText(event, state);
  // Every part of the line may come from a plan, an agent or a model: no escape sequence gets through.
  return text === undefined ? undefined : `${new Date(event.at).toISOString()} ${terminalSafe(text)}`;
}

function isStepEvent(event: RunEvent): event is StepEvent {
  return event.type.startsWith('step.');
}

function runEventText(event: Exclude<RunEvent, StepEvent>, state: RunState): string | undefined {
  switch (event.type) {
    case 'run.started':
      return `run ${state.runId} (${state.name}) ${event.data.resumed ? 'resumed' : 'started'}: ${state.order.length} steps, concurrency ${state.concurrency}`;
    case 'run.approval-requested':
      return `run ${state.runId} waits for approval (${event.data.reason}); approve it with: ai-collab approve ${state.runId} (or in the terminal, the dashboard, VS Code or over MCP)`;
    case 'run.approval-decided': {
      const { decision, by, reason, plan } = event.data;
      if (decision === 'rejected') return `plan rejected by ${by}${reason ? `: ${reason}` : ''}`;
      return `plan approved by ${by}${plan ? ` (edited: ${state.order.length} steps)` : ''}`;
    }
    case 'run.plan-replaced':
      return `plan edited by ${event.data.by}: ${state.order.length} steps`;
    case 'run.approved':
      return `plan approved by ${event.data.by}`;
    case 'run.rejected':
      return `plan rejected by ${event.data.by}${event.data.reason ? `: ${event.data.reason}` : ''}`;
    case 'run.paused':
      return 'run paused';
    case 'run.budget-set':
      return `budget set to ${budgetText(event.data.budget)} by ${event.data.by}`;
    case 'run.budget-reached':
      return budgetReachedText(state) ?? 'budget reached';
    case 'run.resumed':
      return 'run resumed';
    case 'run.interrupted':
      return `run interrupted (${event.data.reason}); continue with: ai-collab resume ${state.runId}`;
    case 'run.finished':
      return `run ${event.data.status}`;
    case 'run.applied':
    case 'run.discarded':
      return landingText(state);
    case 'run.workspace-prepared':
      return `workspace: ${workspaceText(event.data.detail)}`;
    case 'run.workspace-finished':
      return undefined;
    case 'run.created':
      return undefined;
  }
}

function stepEventText(event: StepEvent, state: RunState): string | undefined {
  switch (event.type) {
    case 'step.started': {
      const step = state.steps[event.data.stepId];
      return `step ${labelOf(state, event.data.stepId)} started (${step?.agent}, attempt ${event.data.attempt})`;
    }
    case 'step.worker-assigned':
      return `step ${labelOf(state, event.data.stepId)} attempt ${event.data.attempt} runs on worker ${event.data.worker} (${event.data.host})`;
    case 'step.succeeded':
      return `step ${labelOf(state, event.data.stepId)} succeeded in ${formatDuration(event.data.durationMs)}`;
    case 'step.attempt-failed':
      return `step ${labelOf(state, event.data.stepId)} attempt ${event.data.attempt} failed: ${event.data.error.message}; retrying in ${formatDuration(Math.max(0, event.data.retryAt - event.at))}`;
    case 'step.failed':
      return failedText(state, event.data);
    case 'step.parked': {
      const { agent, window, until } = event.data;
      const who =
        agent !== undefined
          ? `${agent}: parked until ${clockTime(until, event.at)}${window !== undefined ? ` (${window})` : ''}; `
          : '';
      return `${who}step ${labelOf(state, event.data.stepId)} waits until ${new Date(until).toISOString()} for a usage limit to reset (${event.data.reason}); no retry spent`;
    }
    case 'step.failed-over':
      return `step ${labelOf(state, event.data.stepId)}: ${failedOverText(event.data, event.at)}`;
    case 'step.candidate-picked':
      return `step ${labelOf(state, event.data.stepId)} picked candidate ${labelOf(state, event.data.candidate)} (${event.data.mode}): ${event.data.ranking.find((entry) => entry.stepId === event.data.candidate)?.reason ?? ''}`;
    case 'step.retry-requested':
      return `step ${labelOf(state, event.data.stepId)} will run again (asked by ${event.data.by})`;
    case 'step.interrupted':
      return `step ${labelOf(state, event.data.stepId)} interrupted (${event.data.reason})`;
    case 'step.cancelled':
      return `step ${labelOf(state, event.data.stepId)} cancelled (${event.data.reason})`;
    case 'step.stage-started':
      return `step ${labelOf(state, event.data.stepId)} ${stageDoing[event.data.stage]}`;
    case 'step.setup-finished': {
      const { commands, durationMs, error } = event.data;
      const what = `${commands.join(' && ').slice(0, 120)}`;
      return error
        ? `step ${labelOf(state, event.data.stepId)}: setup (${what}) failed after ${formatDuration(durationMs)}: ${error.message}`
        : `step ${labelOf(state, event.data.stepId)}: setup (${what}) took ${formatDuration(durationMs)}`;
    }
    case 'step.review-vote':
      return `step ${labelOf(state, event.data.stepId)}: ${event.data.reviewer} votes ${event.data.vote} (${Math.round(event.data.confidence * 100)}%): ${event.data.reason.slice(0, 120)}`;
    case 'step.conflicted':
      return `step ${labelOf(state, event.data.stepId)} conflicted: ${event.data.message} (${event.data.files.join(', ')})`;
    case 'step.added':
      return `step ${String(event.data.step.label)} added to resolve the conflict of ${labelOf(state, event.data.resolves)} (${event.data.step.agent})`;
    case 'step.resolved':
      return `step ${labelOf(state, event.data.stepId)}: conflict resolved by ${labelOf(state, event.data.by)}`;
    case 'step.waiting':
    case 'step.waiting-ended':
    case 'step.stale-report':
      return remoteFactText(state, event);
    case 'step.process-started':
    case 'step.workspace-prepared':
    case 'step.stage-passed':
      return undefined;
  }
}

const stageDoing = {
  verify: 'is being verified (did it change its target?)',
  check: 'is being checked (its check: command)',
  review: 'is being reviewed',
  merge: 'is being merged',
} as const;

/** The run workspace's set-up as one phrase: its message, or else its details. */
function workspaceText(detail: Record<string, string>): string {
  return (
    detail.message ??
    Object.entries(detail)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')
  );
}

function failedText(state: RunState, data: EventData<'step.failed'>): string {
  const blocked = (state.steps[data.stepId]?.dependents.length ?? 0) > 0;
  return `step ${labelOf(state, data.stepId)} failed after ${data.attempt} attempt(s): ${data.error.message}${blocked ? '; its dependents are blocked' : ''}`;
}
