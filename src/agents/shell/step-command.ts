/**
 * A command the orchestrator runs for a step besides its agent (`check:`, `workspace.setup`): `sh -c` in
 * the step's directory, contained, logged and timed out like a shell step, with the step's environment
 * (allow-list, the step's `env`, the attempt's port block) and the same process tag, so a crash recovery
 * finds it as one of the step's processes.
 */
import type { Clock } from '../../support/clock.js';
import { stepTagName } from '../agent-deps.js';
import {
  baseEnvironmentPolicy,
  buildChildEnvironment,
  type EnvironmentPolicy,
} from '../process/child-environment.js';
import { type ProcessOutcome, runProcess } from '../process/run-process.js';

/** What the composition root gives every step command (as it gives the shell agent). */
export interface StepCommandSettings {
  clock: Clock;
  /** The orchestrator's environment, filtered through `environment`. */
  sourceEnvironment: Readonly<Record<string, string | undefined>>;
  /** @default the base allow-list */
  environment?: EnvironmentPolicy;
  maxLogBytes: number;
  killGraceMs: number;
  /** @default 2 s */
  drainMs?: number;
}

export interface StepCommand {
  command: string;
  cwd: string;
  runId: string;
  stepId: string;
  attempt: number;
  /** The step's `env` and the attempt's own variables. */
  env?: Readonly<Record<string, string>>;
  logFile: string;
  signal: AbortSignal;
  timeoutMs: number;
}

export type StepCommandOutcome = ProcessOutcome | { kind: 'timed-out'; tail: string };

export async function runStepCommand(
  settings: StepCommandSettings,
  request: StepCommand,
): Promise<StepCommandOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = settings.clock.setTimer(request.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const onAbort = (): void => controller.abort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  if (request.signal.aborted) controller.abort();
  try {
    const outcome = await runProcess({
      command: '/bin/sh',
      args: ['-c', request.command],
      cwd: request.cwd,
      env: buildChildEnvironment(settings.sourceEnvironment, settings.environment ?? baseEnvironmentPolicy, {
        ...request.env,
        AI_COLLAB_RUN_ID: request.runId,
        AI_COLLAB_STEP_ID: request.stepId,
        AI_COLLAB_ATTEMPT: String(request.attempt),
      }),
      tag: { name: stepTagName, value: `${request.runId}/${request.stepId}/${request.attempt}` },
      logFile: request.logFile,
      maxLogBytes: settings.maxLogBytes,
      clock: settings.clock,
      killGraceMs: settings.killGraceMs,
      drainMs: settings.drainMs ?? 2_000,
      signal: controller.signal,
      // The step's own process (its agent) is the one recorded; these run inside its lifetime.
      onStarted: () => {},
    });
    if (outcome.kind === 'aborted' && timedOut && !request.signal.aborted)
      return { kind: 'timed-out', tail: outcome.tail };
    return outcome;
  } finally {
    cancelTimer();
    request.signal.removeEventListener('abort', onAbort);
  }
}
