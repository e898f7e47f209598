/** The shape of a run as every front end sees it: the projection of its events. */

import type { Budget, PlanDefinition, StepAction, StepDefinition } from '../protocol/plan-types.js';
import type { OwnerIdentity } from '../store/event-store.js';
import type { Spend } from './budget/spend.js';
import type {
  CandidateRanking,
  ProcessInfo,
  ReviewVoteData,
  RunAppliedData,
  RunDiscardedData,
  StepErrorInfo,
  StepUsage,
  WorkerPlacement,
} from './events.js';

export const stepStatuses = [
  'pending',
  'ready',
  'running',
  'retrying',
  'reviewing',
  'merging',
  'succeeded',
  'failed',
  'blocked',
  'cancelled',
  'interrupted',
  'conflicted',
] as const;
export type StepStatus = (typeof stepStatuses)[number];

export const runStatuses = [
  'planning',
  'awaiting_approval',
  'pending',
  'running',
  'paused',
  'interrupted',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export const terminalRunStatuses: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

const knownRunStatuses: ReadonlySet<string> = new Set(runStatuses);

/** A status read back as text (the run index keeps it so) that is one this version knows. */
export function isRunStatus(status: string): status is RunStatus {
  return knownRunStatuses.has(status);
}

/** Whether a status read back as text says the run ended; one this version does not know never does. */
export function hasEnded(status: string): boolean {
  return isRunStatus(status) && terminalRunStatuses.has(status);
}
export const settledStepStatuses: ReadonlySet<StepStatus> = new Set([
  'succeeded',
  'failed',
  'blocked',
  'cancelled',
  'conflicted',
]);

export interface StepState {
  id: string;
  label: string | number;
  agent: string;
  action?: StepAction;
  needs: readonly string[];
  dependents: string[];
  /** Dependencies that have not succeeded yet. */
  waitingOn: number;
  status: StepStatus;
  /** Attempts started so far (interrupted ones included). */
  attempts: number;
  /** Attempts that failed, over the step's whole history. */
  failures: number;
  /** `failures` when a person last asked for a retry: the fresh retry budget is spent only on later ones. */
  failuresBeforeRetry?: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  error?: StepErrorInfo;
  /** The failed step that blocks this one. */
  blockedBy?: string;
  retryAt?: number;
  /** Why a step waits without spending a retry (a usage limit until its reset). */
  parkedReason?: string;
  /** Why the running attempt has not started: "waiting for a worker that runs <agent>" (distributed mode). */
  waitingReason?: string;
  process?: ProcessInfo;
  /** Distributed mode: the worker running (or that ran) the current attempt, once it took it. */
  worker?: WorkerPlacement;
  logFile?: string;
  /** The agent's final answer of the successful attempt (capped). */
  output?: string;
  /** Usage summed over every attempt of the step. */
  usage?: StepUsage;
  sessionId?: string;
  filesChanged?: string[];
  /** The successful attempt's change as commits (start..result is its diff); absent if it changed nothing. */
  startCommit?: string;
  resultCommit?: string;
  /** How long `workspace.setup` took in the last attempt's worktree (shown apart from the agent's time). */
  setupMs?: number;
  /** The port block of the last attempt (`AI_COLLAB_PORT_BASE`). */
  portBase?: number;
  /** Where the last attempt worked (a worktree for isolated steps). */
  cwd?: string;
  workspaceDetail?: Record<string, string>;
  /** Reviewers' votes on the last attempt. */
  votes?: ReviewVoteData[];
  /** Facts the stages of the last attempt reported when they passed (review verdict, merge commit…). */
  stageDetail?: Record<string, Record<string, string>>;
  /** Feedback the next attempt gets (reviewers' reasons after a rejection). */
  feedback?: string;
  /** Files that could not be merged. */
  conflictFiles?: string[];
  /** This step resolves that (conflicted) step's merge. */
  resolves?: string;
  /** The step that resolves this one's conflict. */
  resolvedBy?: string;
  /** Best-of-N: this step picks among `candidates` (`pick` mode); `picked` is the one it merged. */
  pick?: 'best' | 'first';
  candidates?: readonly string[];
  picked?: string;
  ranking?: CandidateRanking[];
  /** This step is a candidate of that best-of-N step (never merged by itself). */
  candidateOf?: string;
  /** Agents the step moved away from, with why (failover). */
  failedOver?: FailoverRecord[];
}

/** One move of a step to a fallback agent (`step.failed-over`). */
export interface FailoverRecord {
  from: string;
  to: string;
  cause: string;
  reason: string;
  at: number;
  /** For a usage limit: when `from` may be used again, and on which window. */
  until?: number;
  window?: string;
}

/** When an agent's account may be used again after a usage limit, as its CLI reported it. */
export interface AgentLimit {
  until: number;
  /** The limit's window as the CLI names it (`five_hour`, `seven_day`, `weekly` …), when it says. */
  window?: string;
  reason: string;
}

export interface RunState {
  runId: string;
  name: string;
  workspace: string;
  planFile: string | null;
  plan: PlanDefinition;
  concurrency: number;
  failFast: boolean;
  status: RunStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  owner?: OwnerIdentity;
  interruptReason?: string;
  /** Why the run waits for a person (shown with the approval prompt). */
  approvalReason?: string;
  approvedBy?: string;
  rejected?: { by: string; reason?: string };
  /** How the run's workspace was set up (branch, base commit, or why isolation is off). */
  workspaceDetail?: Record<string, string>;
  /** What the workspace reported when the run finished. */
  workspaceSummary?: Record<string, unknown>;
  /** The run's budget: the plan's, or what a person set since (`run.budget-set`). */
  budget?: Budget;
  /** What the run's attempts spent so far (absent until one reports usage). */
  spent?: Spend;
  /** Set while the run is paused because no further step fits its budget. */
  budgetReached?: { at: number; budget: Budget; spent: Spend; waiting: number };
  steps: Record<string, StepState>;
  /** Step ids in plan order. */
  order: string[];
  counts: Record<StepStatus, number>;
  lastSeq: number;
  /** Usage limits the run's agents met, by agent (absent when none did). */
  agentLimits?: Record<string, AgentLimit>;
  /** Its work was landed on the user's branch (`ai-collab apply`), when. */
  applied?: RunAppliedData & { at: number };
  /** Its branches and worktrees were removed (`ai-collab discard`), when. */
  discarded?: RunDiscardedData & { at: number };
}

/** The plan's steps a start would still run: every one that has not succeeded. */
export function stepsStillToRun(state: Readonly<RunState>): StepDefinition[] {
  return state.plan.steps.filter((step) => state.steps[step.id]?.status !== 'succeeded');
}
