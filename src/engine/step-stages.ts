/** Runs the hooks around a step's agent: workspace preparation before, stages (review, merge) after. */
import type { StepFailure } from '../agents/agent.js';
import { failureKindOf } from '../support/errors.js';
import { toErrorInfo } from './error-info.js';
import type { StepCommits } from './events.js';
import type { RunRecorder } from './run-recorder.js';
import type { StageContext, StageResult, StepHookContext, StepHooks, StepStage } from './step-hooks.js';

export async function prepareWorkspace(
  hooks: StepHooks | undefined,
  context: StepHookContext,
  recorder: RunRecorder,
): Promise<
  | {
      ok: true;
      cwd: string;
      release?: () => void;
      env?: Record<string, string>;
      startCommit?: string;
      setupOnAgent?: string[];
    }
  | { ok: false; failure: StepFailure }
> {
  if (!hooks?.prepare) return { ok: true, cwd: context.workspace };
  try {
    const prepared = await hooks.prepare(context);
    recorder.record({
      type: 'step.workspace-prepared',
      data: {
        stepId: context.step.id,
        attempt: context.attempt,
        cwd: prepared.cwd,
        ...(prepared.detail !== undefined && { detail: prepared.detail }),
      },
    });
    const { setup } = prepared;
    if (setup) {
      recorder.record({
        type: 'step.setup-finished',
        data: {
          stepId: context.step.id,
          attempt: context.attempt,
          commands: setup.commands,
          durationMs: setup.durationMs,
          ok: setup.failure === undefined,
          ...(setup.portBase !== undefined && { portBase: setup.portBase }),
          ...(setup.failure && { error: toErrorInfo(setup.failure) }),
        },
      });
      if (setup.failure) {
        prepared.release?.();
        return { ok: false, failure: setup.failure };
      }
    }
    return {
      ok: true,
      cwd: prepared.cwd,
      ...(prepared.release && { release: prepared.release }),
      ...(prepared.env && { env: prepared.env }),
      ...(prepared.startCommit !== undefined && { startCommit: prepared.startCommit }),
      ...(prepared.setupOnAgent && { setupOnAgent: prepared.setupOnAgent }),
    };
  } catch (error) {
    return {
      ok: false,
      failure: {
        code: 'INTERNAL',
        kind: failureKindOf(error, 'transient'),
        message: `could not prepare the step's workspace: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}

export async function runStages(
  stages: readonly StepStage[],
  context: Omit<StageContext, 'recordVote'> & { recorder: RunRecorder },
): Promise<StageResult> {
  const { recorder, ...base } = context;
  const stepId = base.step.id;
  const attempt = base.attempt;
  let change: StepCommits | undefined;
  for (const stage of stages) {
    if (!stage.appliesTo(base.step, base.state)) continue;
    if (base.signal.aborted) return { kind: 'passed' };
    recorder.record({ type: 'step.stage-started', data: { stepId, attempt, stage: stage.name } });
    let result: StageResult;
    try {
      result = await stage.run({
        ...base,
        recordVote: (vote) =>
          recorder.record({ type: 'step.review-vote', data: { stepId, attempt, ...vote } }),
      });
    } catch (error) {
      result = {
        kind: 'failed',
        failure: {
          code: 'INTERNAL',
          kind: 'transient',
          message: `the ${stage.name} stage failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    }
    // A stage's failure is the stage's: a reviewer's usage limit does not move the step to another agent.
    if (result.kind === 'failed') return { ...result, failure: { ...result.failure, stage: stage.name } };
    if (result.kind !== 'passed') return result;
    if (result.change !== undefined) change = result.change;
    recorder.record({
      type: 'step.stage-passed',
      data: {
        stepId,
        attempt,
        stage: stage.name,
        ...(result.detail !== undefined && { detail: result.detail }),
      },
    });
  }
  return { kind: 'passed', ...(change !== undefined && { change }) };
}
