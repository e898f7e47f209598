/**
 * `workspace.setup` (`npm ci`, or a list): run in a fresh worktree before the step's agent starts, one
 * command after the other, each logged beside the attempt's log (`<step>.<attempt>.setup[-n].log`). The
 * first failure stops the rest and fails the attempt as `SETUP_FAILED` with its output's tail.
 */
import { devNull } from 'node:os';
import { join } from 'node:path';
import type { StepFailure } from '../agents/agent.js';
import { runStepCommand, type StepCommandSettings } from '../agents/shell/step-command.js';
import { fileSafe } from '../engine/step-attempt.js';
import type { SetupReport, StepHookContext } from '../engine/step-hooks.js';

/** Each setup command may take this long (a cold `npm ci` on a slow network). */
export const setupTimeoutMs = 30 * 60_000;

export interface WorktreeSetup {
  settings: StepCommandSettings;
  /** The configuration's commands; a plan's `workspace.setup` replaces them. */
  commands: readonly string[];
}

/** The commands a step of this plan runs in a fresh worktree (none: nothing to do). */
export function setupCommandsFor(setup: WorktreeSetup | undefined, context: StepHookContext): string[] {
  return [...(context.state.plan.workspace?.setup ?? setup?.commands ?? [])];
}

/** What running setup needs to know of the attempt (a worker has no run state: just these). */
export type SetupAttempt = Pick<StepHookContext, 'runId' | 'step' | 'attempt' | 'signal' | 'logsDir'>;

export async function runWorktreeSetup(
  setup: Pick<WorktreeSetup, 'settings'>,
  commands: readonly string[],
  context: SetupAttempt,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<Omit<SetupReport, 'portBase'>> {
  const { clock } = setup.settings;
  const startedAt = clock.now();
  for (const [index, command] of commands.entries()) {
    const outcome = await runStepCommand(setup.settings, {
      command,
      cwd,
      runId: context.runId,
      stepId: context.step.id,
      attempt: context.attempt,
      env: { ...context.step.env, ...env },
      logFile: logFileOf(context, index),
      signal: context.signal,
      timeoutMs: setupTimeoutMs,
    });
    if (outcome.kind === 'exited' && outcome.exitCode === 0) continue;
    const failure: StepFailure = {
      code: 'SETUP_FAILED',
      kind: outcome.kind === 'spawn-failed' ? 'permanent' : 'transient',
      message: `workspace.setup \`${command}\` ${describe(outcome)} in ${cwd}`,
      ...(outcome.kind !== 'spawn-failed' && { outputTail: outcome.tail.slice(-4_000) }),
      ...(outcome.kind === 'exited' && outcome.exitCode !== null && { exitCode: outcome.exitCode }),
    };
    return { commands: [...commands], durationMs: clock.now() - startedAt, failure };
  }
  return { commands: [...commands], durationMs: clock.now() - startedAt };
}

function describe(outcome: Awaited<ReturnType<typeof runStepCommand>>): string {
  switch (outcome.kind) {
    case 'exited':
      return outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
    case 'timed-out':
      return `timed out after ${setupTimeoutMs / 60_000} minutes`;
    case 'aborted':
      return 'was stopped';
    case 'spawn-failed':
      return `could not start (${outcome.message})`;
    case 'lost':
      return `was stopped (${outcome.message})`;
  }
}

function logFileOf(context: SetupAttempt, index: number): string {
  if (context.logsDir === undefined) return devNull;
  const suffix = index === 0 ? 'setup' : `setup-${index + 1}`;
  return join(context.logsDir, `${fileSafe(context.step.id)}.${context.attempt}.${suffix}.log`);
}
