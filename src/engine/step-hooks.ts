/**
 * What happens around a step's agent run, supplied by the pipeline rooms above the engine: where the step
 * works (a git worktree for code-changing steps), and the stages its result must pass before it counts as
 * succeeded (the review swarm, then the merge). The engine only sequences them and records their facts.
 */
import type { StepFailure } from '../agents/agent.js';
import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import type { ReviewVoteData, StageName, StepCommits } from './events.js';
import type { RunState } from './run-state.js';

export interface StepHookContext {
  runId: string;
  step: StepDefinition;
  attempt: number;
  /** The run's workspace (the user's checkout). */
  workspace: string;
  /** Read-only view of the run. */
  state: Readonly<RunState>;
  signal: AbortSignal;
  /** Where the attempt's logs go (`<step>.<attempt>.log` and siblings such as `.check.log`). */
  logsDir?: string;
}

export interface PreparedWorkspace {
  /** Directory the agent works in. */
  cwd: string;
  /** Facts worth recording (branch, base commit…), kept in `step.workspace-prepared`. */
  detail?: Record<string, string>;
  /** The commit the directory was checked out at, when it is a git checkout the workspace made. */
  startCommit?: string;
  /** Called once when the attempt ends, however it ends (after its stages): e.g. leaves a shared worktree. */
  release?: () => void;
  /** Variables every process of the attempt gets (agent, setup, check): e.g. its `AI_COLLAB_PORT_BASE`. */
  env?: Record<string, string>;
  /** What `workspace.setup` did in this fresh worktree; a failure fails the attempt. */
  setup?: SetupReport;
  /**
   * `workspace.setup` left to the agent: it runs the attempt in a fresh checkout of its own elsewhere (a
   * worker, in distributed mode), runs these there first and reports what they did.
   */
  setupOnAgent?: string[];
}

export interface SetupReport {
  commands: string[];
  durationMs: number;
  portBase?: number;
  /** Set when a command failed: the attempt fails with it (its output tail included). */
  failure?: StepFailure;
}

export interface StageContext extends StepHookContext {
  cwd: string;
  /** What the agent answered. */
  output: string;
  filesChanged?: string[];
  /** The attempt's extra environment (`PreparedWorkspace.env`), for commands a stage runs. */
  env?: Record<string, string>;
  /** Records a reviewer's vote as it arrives. */
  recordVote(vote: ReviewVoteData): void;
}

export type StageResult =
  /** `change`: the commits of what the step changed, when this stage committed it. */
  | { kind: 'passed'; detail?: Record<string, string>; change?: StepCommits }
  /** The step is tried again (spending a retry) with `feedback` added to its prompt. */
  | { kind: 'rejected'; reason: string; feedback: string }
  /** The step's changes could not be merged; they are kept, and the step is `conflicted`. */
  | { kind: 'conflicted'; files: string[]; message: string }
  /** `feedback`: added to the next attempt's prompt (what the check printed, that nothing changed). */
  | { kind: 'failed'; failure: StepFailure; feedback?: string };

export interface StepStage {
  readonly name: StageName;
  appliesTo(step: StepDefinition, state: Readonly<RunState>): boolean;
  run(context: StageContext): Promise<StageResult>;
}

export interface ConflictNotice {
  runId: string;
  step: StepDefinition;
  state: Readonly<RunState>;
  files: string[];
  message: string;
}

export interface StepHooks {
  /** Before the run's first step (and again on resume): e.g. its git branch. Facts to record, if any. */
  startRun?(run: {
    runId: string;
    workspace: string;
    plan: PlanDefinition;
  }): Promise<Record<string, string> | undefined>;
  prepare?(context: StepHookContext): Promise<PreparedWorkspace>;
  /** Run in order after the agent succeeds. */
  stages?: readonly StepStage[];
  /**
   * A step's changes could not be merged: the step to add that resolves the conflict (same agent, both sides
   * as context), or undefined to leave it conflicted for a person.
   */
  onConflict?(notice: ConflictNotice): Promise<StepDefinition | undefined>;
  /**
   * Best-of-N: merges the picked candidate's kept change into the run (as `context.step`'s own), and
   * lets go of every candidate's worktree (their commits stay under their refs). Absent: nothing to merge.
   */
  mergeCandidate?(context: StepHookContext & { candidate: StepDefinition }): Promise<StageResult>;
  /** After the run finished (not when interrupted): e.g. prune worktrees, summarise. The summary is recorded. */
  finishRun?(state: Readonly<RunState>): Promise<Record<string, unknown> | undefined>;
}
