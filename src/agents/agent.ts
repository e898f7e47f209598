/** The one interface every kind of agent implements; the engine's retries and timeouts apply to all alike. */
import type { StepDefinition } from '../protocol/plan-types.js';
import type { ProcessStartRecord } from './process/run-process.js';

export interface AgentTask {
  runId: string;
  stepId: string;
  attempt: number;
  step: StepDefinition;
  /** Directory the step works in. */
  workspace: string;
  /** Where the step's transcript goes. */
  logFile: string;
  /** Aborted on timeout, cancel or interrupt; the agent must stop its processes and return. */
  signal: AbortSignal;
  /** Called as soon as a child process exists, so its identity is recorded before anything else happens. */
  onProcessStarted(record: ProcessStartRecord): void;
}

/** How a failure should be treated: retried, given up on, or parked until a usage limit resets. */
export type FailureKind = 'transient' | 'permanent' | 'usage-limit';

export type FailureCode =
  | 'EXIT_CODE'
  | 'KILLED_BY_SIGNAL'
  | 'SPAWN_FAILED'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'AGENT_ERROR'
  | 'INTERNAL';

export interface StepFailure {
  code: FailureCode;
  kind: FailureKind;
  message: string;
  exitCode?: number;
  signal?: string;
  /** The last lines of output, to show why. */
  outputTail?: string;
  /** Epoch ms at which a usage limit resets. */
  resetAt?: number;
}

export type AgentResult = { ok: true; output: string } | { ok: false; failure: StepFailure };

export interface Agent {
  readonly name: string;
  run(task: AgentTask): Promise<AgentResult>;
}
