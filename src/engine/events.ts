/**
 * Every state change of a run is one of these facts, appended to the store. Names are `entity.past-tense`.
 * Run state is `applyEvent` folded over them (projection.ts). Stored events are parsed back with the
 * schemas of `event-schemas.ts`, which the compiler holds to these types: change both together.
 */

import type { Budget, PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import type { OwnerIdentity } from '../store/event-store.js';
import type { Spend } from './budget/spend.js';

export interface StepErrorInfo {
  code: string;
  /** transient, permanent or usage-limit */
  kind?: string;
  message: string;
  resetAt?: number;
  exitCode?: number;
  signal?: string;
  outputTail?: string;
}

/** What a step reported using; mirrors the agents' usage shape without importing the agents layer. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  costUsd?: number;
  /** The model the tokens were spent on, when the agent or its configuration says. */
  model?: string;
  /** Where `costUsd` comes from: the agent's own figure, or tokens × the price table. */
  costSource?: 'reported' | 'price-table';
  /** Some of these tokens have no price (a model the price table does not know): `costUsd` leaves them out. */
  costUnknown?: boolean;
}

export interface ReviewVoteData {
  reviewer: string;
  vote: 'approve' | 'reject' | 'abstain';
  /** 0..1 */
  confidence: number;
  reason: string;
}

/**
 * The commits of a step's change: the run branch's commit it started from and the commit holding its work
 * (whose first parent is the start). The diff of the step is start..result, whatever happened to branches.
 */
export interface StepCommits {
  startCommit: string;
  resultCommit: string;
}

/** How one candidate of a best-of-N step fared when the pick was made. */
export interface CandidateRanking {
  stepId: string;
  agent: string;
  status: string;
  /** It succeeded (its check and review passed) and could be merged. */
  passed: boolean;
  /** The reviewers' approval share (0..1), when they voted. */
  score?: number;
  costUsd?: number;
  /** Why it ranks where it does, or why it could not be picked. */
  reason: string;
}

export interface ApprovalDecisionData {
  decision: 'approved' | 'rejected';
  /** Who decided, e.g. `terminal`, `cli`, `dashboard`, `vscode`, `mcp`. */
  by: string;
  reason?: string;
  plan?: PlanDefinition;
}

export interface ProcessInfo {
  pid: number;
  pgid: number;
  startTime: string;
  bootId: string;
  /** The cgroup v2 directory containing the step's processes, when they run contained. */
  cgroup?: string;
}

/** Which `ai-collab worker` runs an attempt: the name it was started with and its machine's host name. */
export interface WorkerPlacement {
  worker: string;
  host: string;
}

/** The stages a step's result passes, in this order: verify (NO_CHANGE), check (`check:`), review, merge. */
export type StageName = 'verify' | 'check' | 'review' | 'merge';

/** What `workspace.setup` did in a step's fresh worktree before its agent started (time shown on its own). */
export interface SetupFinishedData {
  stepId: string;
  attempt: number;
  commands: string[];
  durationMs: number;
  ok: boolean;
  /** The port block the attempt's processes were given (`AI_COLLAB_PORT_BASE`). */
  portBase?: number;
  /** Why it failed, with the output's tail (the attempt fails with it). */
  error?: StepErrorInfo;
}

/** `ai-collab apply`: the run's branch landed on the user's branch (`branch`), which is now at `commit`. */
export interface RunAppliedData {
  branch: string;
  how: 'fast-forward' | 'merged' | 'up-to-date';
  /** The user's branch before (`from`) and after (`commit`). */
  from: string;
  commit: string;
  files: number;
  by: string;
}

/** `ai-collab discard`: the run's branches and worktrees were removed. */
export interface RunDiscardedData {
  /** The run's work was already on the user's branch, so nothing of it was lost (a clean-up, not a rejection). */
  wasApplied: boolean;
  removedBranches: number;
  removedWorktrees: number;
  by: string;
}

export type RunEventBody =
  | {
      type: 'run.created';
      data: {
        plan: PlanDefinition;
        workspace: string;
        planFile: string | null;
        concurrency: number;
        failFast: boolean;
      };
    }
  | { type: 'run.approval-requested'; data: { reason: string } }
  /**
   * A person's decision on the plan, written by whichever process took it (any front end). The first one
   * after the request counts; the log's order decides, and the store appends only while the run waits.
   * An approval may carry the plan as edited (validated by the front end that took the edit).
   */
  | { type: 'run.approval-decided'; data: ApprovalDecisionData }
  /** Logs written before decisions were events: the edited plan, approval and rejection, by the owner. */
  | { type: 'run.plan-replaced'; data: { plan: PlanDefinition; by: string } }
  | { type: 'run.approved'; data: { by: string } }
  | { type: 'run.rejected'; data: { by: string; reason?: string } }
  | { type: 'run.started'; data: { owner: OwnerIdentity; resumed: boolean } }
  /** The run's workspace was set up (e.g. a git run branch from HEAD, or why isolation is off). */
  | { type: 'run.workspace-prepared'; data: { detail: Record<string, string> } }
  /** The run's workspace was wrapped up after it finished (what landed, what was kept). */
  | { type: 'run.workspace-finished'; data: { summary: Record<string, unknown> } }
  | { type: 'run.paused'; data: Record<string, never> }
  /** A person set the run's budget (raised it, most often): `budget` replaces the plan's. */
  | { type: 'run.budget-set'; data: { budget: Budget; by: string } }
  /**
   * No further step fits the budget and nothing runs any more: the run pauses, resumable once the budget
   * is raised. Nothing failed and nothing was lost; `waiting` steps had not started.
   */
  | { type: 'run.budget-reached'; data: { budget: Budget; spent: Spend; waiting: number } }
  | { type: 'run.resumed'; data: Record<string, never> }
  | { type: 'run.interrupted'; data: { reason: string } }
  | { type: 'run.finished'; data: { status: 'succeeded' | 'failed' | 'cancelled' } }
  /**
   * After the run ended, a person landed its work or dropped it. Appended by the process that did it; the
   * first of each type in the log counts (the commands refuse a second one).
   */
  | { type: 'run.applied'; data: RunAppliedData }
  | { type: 'run.discarded'; data: RunDiscardedData }
  | { type: 'step.started'; data: { stepId: string; attempt: number; agent: string } }
  /**
   * Distributed mode: a worker took the attempt (again, after a stall, when another worker re-runs it).
   * Recorded by the coordinator when the worker says so, so views name the machine that ran each attempt.
   */
  | { type: 'step.worker-assigned'; data: { stepId: string; attempt: number } & WorkerPlacement }
  | {
      type: 'step.process-started';
      data: { stepId: string; attempt: number; process: ProcessInfo; logFile: string };
    }
  | {
      type: 'step.succeeded';
      data: {
        stepId: string;
        attempt: number;
        durationMs: number;
        /** The agent's final answer, capped (the full transcript is in the log file). */
        output?: string;
        usage?: StepUsage;
        sessionId?: string;
        filesChanged?: string[];
        /** Absent in logs written before commits were recorded, and for steps that changed nothing. */
        startCommit?: string;
        resultCommit?: string;
      };
    }
  | {
      type: 'step.attempt-failed';
      data: {
        stepId: string;
        attempt: number;
        error: StepErrorInfo;
        retryAt: number;
        usage?: StepUsage;
        /** Added to the next attempt's prompt (e.g. the reviewers' reasons for rejecting this one). */
        feedback?: string;
      };
    }
  | {
      type: 'step.failed';
      data: { stepId: string; attempt: number; error: StepErrorInfo; usage?: StepUsage };
    }
  | { type: 'step.interrupted'; data: { stepId: string; attempt: number; reason: string } }
  | {
      type: 'step.workspace-prepared';
      data: { stepId: string; attempt: number; cwd: string; detail?: Record<string, string> };
    }
  | { type: 'step.stage-started'; data: { stepId: string; attempt: number; stage: StageName } }
  | {
      type: 'step.stage-passed';
      data: { stepId: string; attempt: number; stage: StageName; detail?: Record<string, string> };
    }
  /** `workspace.setup` ran in the step's fresh worktree (before its agent). */
  | { type: 'step.setup-finished'; data: SetupFinishedData }
  | { type: 'step.review-vote'; data: { stepId: string; attempt: number } & ReviewVoteData }
  | {
      type: 'step.conflicted';
      data: { stepId: string; attempt: number; files: string[]; message: string; resolvedBy?: string };
    }
  /** A step added while the run goes: the resolution of `resolves`'s conflict. */
  | { type: 'step.added'; data: { step: StepDefinition; resolves: string } }
  /** A conflicted step counts as succeeded: `by` resolved its conflict and merged both sides. */
  | { type: 'step.resolved'; data: { stepId: string; by: string } }
  /** A person asked to run a failed, blocked, cancelled or conflicted step again, with a fresh retry budget. */
  | { type: 'step.retry-requested'; data: { stepId: string; by: string } }
  /**
   * A usage limit: the step waits for the reset without spending a retry. `agent` and `window` (the
   * limit's type as the CLI names it, e.g. `five_hour`) are absent in logs written before they were kept.
   */
  | {
      type: 'step.parked';
      data: {
        stepId: string;
        attempt: number;
        until: number;
        reason: string;
        agent?: string;
        window?: string;
      };
    }
  /** The step's agent could not take it (a usage limit, unusable, crash loop): `to` takes it over. */
  | {
      type: 'step.failed-over';
      data: {
        stepId: string;
        from: string;
        to: string;
        cause: 'usage-limit' | 'unusable' | 'crash-loop';
        reason: string;
        until?: number;
        window?: string;
      };
    }
  /** A best-of-N step chose the candidate whose work it merges; the others stay under their refs. */
  | {
      type: 'step.candidate-picked';
      data: {
        stepId: string;
        attempt: number;
        candidate: string;
        mode: 'best' | 'first';
        ranking: CandidateRanking[];
      };
    }
  | { type: 'step.cancelled'; data: { stepId: string; reason: string } }
  /** The attempt cannot start yet: no live worker offers its agent (distributed mode). */
  | { type: 'step.waiting'; data: { stepId: string; attempt: number; reason: string } }
  /** A worker took the attempt (or the attempt ended) after `step.waiting`. */
  | { type: 'step.waiting-ended'; data: { stepId: string; attempt: number } }
  /** A report from an execution that no longer holds the attempt: recorded, never used. */
  | {
      type: 'step.stale-report';
      data: {
        stepId: string;
        attempt: number;
        attemptId: string;
        execution: string;
        worker: string;
        reason: string;
      };
    };

export type RunEventType = RunEventBody['type'];

export type RunEvent = RunEventBody & { runId: string; seq: number; at: number };

export type EventData<T extends RunEventType> = Extract<RunEventBody, { type: T }>['data'];
