/**
 * What a person is told, and when: one typed notification per committed event that needs them. Events
 * are the source (a notifier subscribes to committed events, never to in-memory state changes), so what
 * is sent has happened for good. To notify on a new event type, add one line to `fromEvent`.
 */
import type { RunEvent, RunEventType } from '../../engine/events.js';
import type { RunState } from '../../engine/run-state.js';
import { budgetText, spendText } from '../output/budget-text.js';
import { failedOverText } from '../output/choice-text.js';

export type NotificationKind =
  | 'approval-needed'
  | 'run-finished'
  | 'step-parked'
  | 'step-failed-over'
  | 'budget-reached';

export interface Notification {
  kind: NotificationKind;
  runId: string;
  runName: string;
  /** One line, Slack-compatible (plain text). */
  text: string;
  at: number;
  stepId?: string;
  /** The run's status, for `run-finished`. */
  status?: string;
}

type Describe<T extends RunEventType> = (
  event: Extract<RunEvent, { type: T }>,
  state: RunState,
) => Pick<Notification, 'kind' | 'text'> & Partial<Pick<Notification, 'stepId' | 'status'>>;

const fromEvent: { [T in RunEventType]?: Describe<T> } = {
  'run.approval-requested': (event, state) => ({
    kind: 'approval-needed',
    text: `ai-collab: run ${state.runId} (${state.name}) waits for your approval (${event.data.reason}): ai-collab approve ${state.runId}`,
  }),
  'run.finished': (event, state) => ({
    kind: 'run-finished',
    status: event.data.status,
    text: `ai-collab: run ${state.runId} (${state.name}) ${event.data.status}: ${state.counts.succeeded}/${state.order.length} steps succeeded`,
  }),
  'run.interrupted': (event, state) => ({
    kind: 'run-finished',
    status: 'interrupted',
    text: `ai-collab: run ${state.runId} (${state.name}) was interrupted (${event.data.reason}): ai-collab resume ${state.runId}`,
  }),
  'step.parked': (event, state) => ({
    kind: 'step-parked',
    stepId: event.data.stepId,
    text: `ai-collab: step ${event.data.stepId} of run ${state.runId} waits for a usage limit until ${new Date(event.data.until).toISOString()} (${event.data.reason})`,
  }),
  'run.budget-reached': (event, state) => ({
    kind: 'budget-reached',
    text: `ai-collab: run ${state.runId} (${state.name}) paused at its budget: spent ${spendText(event.data.spent)} of ${budgetText(event.data.budget)}, ${event.data.waiting} step(s) wait: ai-collab resume ${state.runId} --budget <more>`,
  }),
  'step.failed-over': (event, state) => ({
    kind: 'step-failed-over',
    stepId: event.data.stepId,
    text: `ai-collab: run ${state.runId} step ${event.data.stepId}: ${failedOverText(event.data, event.at)}`,
  }),
};

export function notificationOf(event: RunEvent, state: RunState): Notification | undefined {
  const describe = fromEvent[event.type] as Describe<typeof event.type> | undefined;
  if (!describe) return undefined;
  return { ...describe(event as never, state), runId: state.runId, runName: state.name, at: event.at };
}
