/**
 * A step's `check:`: its command run in the step's directory after the agent finished. Exit 0 passes;
 * anything else fails the attempt as `CHECK_FAILED`, and the output's tail becomes the next attempt's
 * feedback. One function for every caller (the `check` stage, candidates judged one by one).
 */
import type { StepFailure } from '../agents/agent.js';
import { runStepCommand, type StepCommandSettings } from '../agents/shell/step-command.js';
import type { StepDefinition } from '../protocol/plan-types.js';

/** A check gets the step's own timeout, else this. */
export const defaultCheckTimeoutMs = 10 * 60_000;
/** Output kept for the feedback, the reviewers and the log's detail (the tail: that is where results are). */
const maxTailChars = 4_000;

export interface StepCheckRequest {
  runId: string;
  step: StepDefinition;
  attempt: number;
  /** The directory the agent worked in (a candidate's own worktree, for candidates). */
  cwd: string;
  /** The attempt's own variables (its port block), on top of the step's `env`. */
  env?: Readonly<Record<string, string>>;
  logFile: string;
  signal: AbortSignal;
  /** @default the step's `check:` */
  command?: string;
  /** @default the step's timeout, else 10 minutes */
  timeoutMs?: number;
}

export type StepCheckResult =
  | { ok: true; command: string; durationMs: number; output: string }
  | {
      ok: false;
      command: string;
      durationMs: number;
      output: string;
      failure: StepFailure;
      /** For the next attempt's prompt. */
      feedback: string;
    };

export async function runStepCheck(
  settings: StepCommandSettings,
  request: StepCheckRequest,
): Promise<StepCheckResult> {
  const command = request.command ?? request.step.check;
  if (command === undefined) throw new Error(`step ${request.step.id} has no check: to run`);
  const startedAt = settings.clock.now();
  const timeoutMs = request.timeoutMs ?? request.step.timeoutMs ?? defaultCheckTimeoutMs;
  const outcome = await runStepCommand(settings, {
    command,
    cwd: request.cwd,
    runId: request.runId,
    stepId: request.step.id,
    attempt: request.attempt,
    env: { ...request.step.env, ...request.env },
    logFile: request.logFile,
    signal: request.signal,
    timeoutMs,
  });
  const durationMs = settings.clock.now() - startedAt;
  const output = outcome.kind === 'spawn-failed' ? outcome.message : tailOf(outcome.tail);
  if (outcome.kind === 'exited' && outcome.exitCode === 0) return { ok: true, command, durationMs, output };
  const why =
    outcome.kind === 'exited'
      ? outcome.signal
        ? `was killed by ${outcome.signal}`
        : `exited with code ${outcome.exitCode}`
      : outcome.kind === 'timed-out'
        ? `timed out after ${timeoutMs} ms`
        : outcome.kind === 'aborted'
          ? 'was stopped'
          : outcome.kind === 'lost'
            ? `was stopped (${outcome.message})`
            : `could not start: ${outcome.message}`;
  const failure: StepFailure = {
    code: 'CHECK_FAILED',
    // A check that could not even start will not start next time either.
    kind: outcome.kind === 'spawn-failed' ? 'permanent' : 'transient',
    message: `the check \`${oneLine(command)}\` ${why}${lastLine(output)}`,
    outputTail: output,
    ...(outcome.kind === 'exited' && outcome.exitCode !== null && { exitCode: outcome.exitCode }),
    ...(outcome.kind === 'exited' && outcome.signal !== null && { signal: outcome.signal }),
  };
  const feedback = [
    `Your previous attempt did not pass the step's check: \`${oneLine(command)}\` ${why}.`,
    output.trim() === ''
      ? 'It printed nothing.'
      : `Its output ended with:\n\`\`\`\n${output.trimEnd()}\n\`\`\``,
    'Fix what makes the check fail, then answer.',
  ].join('\n');
  return { ok: false, command, durationMs, output, failure, feedback };
}

function tailOf(text: string): string {
  return text.length <= maxTailChars ? text : `[…]\n${text.slice(-maxTailChars)}`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

function lastLine(output: string): string {
  const line = output
    .split('\n')
    .map((text) => text.trim())
    .filter(Boolean)
    .pop();
  return line ? `: ${line.slice(0, 200)}` : '';
}
