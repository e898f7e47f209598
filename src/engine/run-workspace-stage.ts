/**
 * The run-wide workspace stages around a run's execution (pipeline rooms' `startRun` / `finishRun`): the
 * run's workspace is prepared before any step starts, and wrapped up once the run has ended.
 */
import type { Logger } from '../support/logger.js';
import type { RunRecorder } from './run-recorder.js';
import type { RunState } from './run-state.js';
import type { StepHooks } from './step-hooks.js';

/** Prepares the run's workspace; false (with `run.interrupted` recorded and durable) when it could not. */
export async function prepareRunWorkspace(
  hooks: StepHooks | undefined,
  recorder: RunRecorder,
): Promise<boolean> {
  if (!hooks?.startRun) return true;
  const { runId, workspace, plan } = recorder.state;
  try {
    const detail = await hooks.startRun({ runId, workspace, plan });
    if (detail) recorder.record({ type: 'run.workspace-prepared', data: { detail } });
    return true;
  } catch (error) {
    // Without its workspace a run must not start: agents would edit the user's checkout instead.
    recorder.record({
      type: 'run.interrupted',
      data: {
        reason: `could not prepare the run's workspace: ${error instanceof Error ? error.message : String(error)}`,
      },
    });
    await recorder.durable();
    return false;
  }
}

/** Wraps up the workspace of a run that ended (not one that was interrupted or paused). */
export async function finishRunWorkspace(
  hooks: StepHooks | undefined,
  recorder: RunRecorder,
  logger: Logger,
): Promise<void> {
  const state: RunState = recorder.state;
  if (!hooks?.finishRun) return;
  try {
    const summary = await hooks.finishRun(state);
    if (summary) {
      recorder.record({ type: 'run.workspace-finished', data: { summary } });
      await recorder.durable();
    }
  } catch (error) {
    logger.error('could not wrap up the run workspace', { runId: state.runId, error });
  }
}
