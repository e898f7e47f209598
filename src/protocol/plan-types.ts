/** The validated, normalised plan the engine runs. `plan/` produces it from YAML or JSON files. */

export const stepActions = ['read', 'write', 'edit', 'analyze', 'delegate', 'validate', 'execute'] as const;
export type StepAction = (typeof stepActions)[number];

/** A spending limit: dollars, tokens (input + output), or both; whichever is reached first counts. */
export interface Budget {
  usd?: number;
  tokens?: number;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface StepDefinition {
  /** Canonical key: the plan's id as a string. */
  id: string;
  /** The id exactly as written (numeric ids of seed plans stay numbers in JSON output). */
  label: string | number;
  agent: string;
  action?: StepAction;
  target?: string;
  description?: string;
  /** What an agent step is asked to do. */
  prompt?: string;
  /** The command of a shell step. */
  run?: string;
  needs: string[];
  retries: number;
  backoff: BackoffPolicy;
  timeoutMs?: number;
  estimateMs?: number;
  review?: boolean;
  isolate?: boolean;
  env?: Record<string, string>;
  /** A shell command run in the step's directory after its agent finishes; a non-zero exit fails the attempt. */
  check?: string;
  /**
   * Best-of-N: this step runs no agent itself; it waits for its candidate steps (`candidates`, ids in
   * order) and merges the best passing one (`best`) or the first that passes (`first`, cancelling the rest).
   */
  pick?: PickMode;
  candidates?: string[];
  /** A candidate step: one of `candidateOf`'s tries (1-based `candidate`), never merged by itself. */
  candidateOf?: string;
  candidate?: number;
  /** Agents that take over this step's ready work when its agent is parked, unusable or crash-looping. */
  fallback?: string[];
  /** The step's own cap: an attempt that passes it is stopped and fails as BUDGET. */
  budget?: Budget;
}

export const pickModes = ['best', 'first'] as const;
export type PickMode = (typeof pickModes)[number];

export interface PlanDefinition {
  name: string;
  concurrency?: number;
  format: 'native' | 'seed';
  steps: StepDefinition[];
  /** Planner metadata of a seed `PlanResponse` (analysis, risks, confidence), kept for approval views. */
  meta?: Record<string, unknown>;
  /** `workspace.setup`: commands run in each fresh worktree before its agent (the plan's replace the config's). */
  workspace?: { setup?: string[] };
  /** The run's budget: no step starts that would pass it; reached, the run pauses until it is raised. */
  budget?: Budget;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };
