/**
 * The one interface every kind of agent implements — CLI adapters, API clients and the shell alike — so
 * the engine's scheduler, retries and timeouts apply to all of them the same way.
 */
import type { StepDefinition } from '../protocol/plan-types.js';
import type { FailureKind } from '../support/errors.js';

/** Identity of a process serving a step, recorded durably so a later orchestrator can recognise it. */
export interface ProcessStartRecord {
  pid: number;
  pgid: number;
  startTime: string;
  bootId: string;
  /** The cgroup v2 directory containing the process and all its descendants, when contained. */
  cgroup?: string;
  logFile: string;
}

export interface AgentTask {
  runId: string;
  stepId: string;
  attempt: number;
  step: StepDefinition;
  /** Directory the step works in. */
  workspace: string;
  /**
   * The commit that directory was checked out at, when the engine's workspace made it (a worktree): an
   * agent that ships the work elsewhere starts from it without asking git.
   */
  startCommit?: string;
  /** Where the step's transcript goes (size-capped by the agent). */
  logFile: string;
  /** Aborted on timeout, cancel or interrupt; the agent must stop its work and return. */
  signal: AbortSignal;
  /** Called as soon as a process serves the step, so its identity is recorded before anything else happens. */
  onProcessStarted(record: ProcessStartRecord): void;
  /** Live progress of the step, for views; agents may call it as often as they like. */
  onEvent?(part: AgentStreamPart): void;
  /** Extra instructions appended to the prompt for this attempt (e.g. reviewers' reasons after a rejection). */
  feedback?: string;
  /**
   * The step's previous attempt, when a crash or a stop cut it short before its outcome was logged: an agent
   * that kept that attempt's work (a remote one, whose result may be finished on a worker) takes it over
   * instead of doing it again. Absent when the previous attempt ended with a logged outcome.
   */
  interruptedAttempt?: number;
  /** Facts about an attempt run elsewhere (distributed mode) that belong in the run's log. */
  onRemoteFact?(fact: RemoteAttemptFact): void;
  /**
   * `workspace.setup` to run in the agent's own fresh checkout before it starts: set only for an agent that
   * runs the attempt elsewhere (distributed mode), which reports what they did as a `setup-finished` fact.
   */
  setup?: string[];
}

/**
 * What a remote attempt reports for the log: which worker took it (again when another re-runs it after a
 * stall, so views name the worker), it waits because no live worker offers its agent (and stops waiting
 * when one takes it), or a report came from an execution that is no longer the attempt's current one (a
 * worker that lost its lock): recorded as stale and never used.
 */
export type RemoteAttemptFact =
  | { type: 'placed'; worker: string; host: string }
  | { type: 'waiting'; reason: string }
  | { type: 'waiting-ended' }
  | { type: 'stale-report'; attemptId: string; execution: string; worker: string; reason: string }
  /** `workspace.setup` ran in the worker's checkout (a failure fails the attempt with it). */
  | {
      type: 'setup-finished';
      commands: string[];
      durationMs: number;
      portBase?: number;
      failure?: StepFailure;
    };

/** Tokens and money one step used, as far as the agent reports them. */
export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  /** Only Claude Code reports a price (a client-side estimate). */
  costUsd?: number;
  /** The model that used the tokens, when the agent says (the engine prices tokens by it). */
  model?: string;
}

/**
 * What an agent says while it works. Noun-verb names for live stream parts (persisted facts use
 * `entity.past-tense` instead): a `.` is a fact in the log, a `-` is a moment in a stream.
 */
export type AgentStreamPart =
  | { type: 'session-start'; sessionId: string; model?: string }
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  | { type: 'tool-result'; id: string; output: string; isError: boolean }
  | { type: 'usage-report'; usage: AgentUsage }
  | {
      type: 'retry-notice';
      message: string;
      delayMs?: number;
      /** HTTP status of the failed model call, when the agent says. */
      status?: number;
      /** Epoch ms at which the provider said its rate limit resets, when the agent passes that on. */
      resetAt?: number;
      /** The limit's window as the CLI names it (claude's `rateLimitType`: `five_hour`, `seven_day` …). */
      window?: string;
    }
  | { type: 'warning'; message: string }
  /** A line the adapter did not understand: kept, never a crash. */
  | { type: 'unknown-line'; raw: string };

/** How a failure should be treated: retried, given up on, or parked until a usage limit resets. */
/** What a retry can do about it: one type for returned failures and thrown errors (support/errors.ts). */
export type { FailureKind };

export type FailureCode =
  | 'EXIT_CODE'
  | 'KILLED_BY_SIGNAL'
  | 'SPAWN_FAILED'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'AGENT_ERROR'
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_CRASHED'
  | 'PROTOCOL_ERROR'
  | 'RATE_LIMITED'
  | 'USAGE_LIMIT'
  | 'AUTH_FAILED'
  | 'MODEL_ERROR'
  | 'REVIEW_REJECTED'
  /** A write/edit step with a target left the target as it was. */
  | 'NO_CHANGE'
  /** The step's `check:` command exited non-zero (or could not run). */
  | 'CHECK_FAILED'
  /** A `workspace.setup` command failed in the step's fresh worktree. */
  | 'SETUP_FAILED'
  /** The step passed its own budget (`budget:` on the step) and was stopped; not retried. */
  | 'BUDGET'
  | 'INTERNAL';

export interface StepFailure {
  code: FailureCode;
  kind: FailureKind;
  message: string;
  exitCode?: number;
  signal?: string;
  /** The last lines of output, to show why. */
  outputTail?: string;
  /** Epoch ms at which a usage limit resets, or a rate limit may be retried. */
  resetAt?: number;
  /** The stage after the agent that failed (`review`, `merge`), absent when the agent itself did. */
  stage?: string;
  /** The usage limit's window as the CLI names it (`five_hour`, `seven_day`, `weekly` …), when it says. */
  limitWindow?: string;
  /** HTTP status of the model API, when the agent reports one. */
  apiStatus?: number;
}

export interface AgentOutcomeDetails {
  usage?: AgentUsage;
  /** Session (conversation) id the agent can be resumed from. */
  sessionId?: string;
  /** Files the agent reports it created or changed, relative to the workspace, when it says. */
  filesChanged?: string[];
}

export type AgentResult =
  | ({ ok: true; output: string } & AgentOutcomeDetails)
  | ({ ok: false; failure: StepFailure } & AgentOutcomeDetails);

export interface Agent {
  readonly name: string;
  run(task: AgentTask): Promise<AgentResult>;
  /** Starts processes ahead of need (pre-warming); optional. */
  warm?(): Promise<void>;
  /** Stops every process the agent owns. */
  close?(): Promise<void>;
  /**
   * The attempt's outcome is durable in the run's log: whatever the agent kept so a resume could take the
   * attempt over can go. Not called for an interrupted attempt, whose next one may take it over.
   */
  settled?(attempt: SettledAttempt): Promise<void>;
}

export interface SettledAttempt {
  runId: string;
  stepId: string;
  attempt: number;
}

/** The text an agent step is asked to do: its prompt (or seed description), plus any feedback. */
export function promptOf(task: AgentTask): string {
  const base = task.step.prompt ?? task.step.description ?? '';
  return task.feedback ? `${base}\n\n${task.feedback}` : base;
}
