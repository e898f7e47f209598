/** `ai-collab resume [RUN_ID]`: continue one interrupted run, or every interrupted run of this workspace. */
import type { Budget } from '../../protocol/plan-types.js';
import { InputError } from '../../support/errors.js';
import { exitCodes } from '../exit-codes.js';
import { followRun } from '../follow-run.js';
import { reapOrphans } from '../runtime.js';
import { warnPreflight } from '../start-preflight.js';
import { type CommandContext, openContinuingRuntime } from './command-context.js';

export async function resumeCommand(
  runId: string | undefined,
  /** `review` is Commander's negated `--no-review`: false when given. */
  options: { json?: boolean; db?: string; review?: boolean; budget?: Budget },
  context: CommandContext,
): Promise<number> {
  if (options.budget && runId === undefined) {
    throw new InputError(
      'USAGE',
      "--budget sets one run's budget; name it: ai-collab resume RUN_ID --budget 8",
    );
  }
  const runtime = await openContinuingRuntime(context, options);
  try {
    // A raise is a fact in the run's log before the run continues (here, just below).
    if (options.budget && runId !== undefined)
      await runtime.engine.setBudget(runId, options.budget, 'cli', { start: false });
    const runIds =
      runId !== undefined ? [runId] : runtime.engine.resumableRuns(context.cwd).map((run) => run.runId);
    if (runIds.length === 0) {
      context.streams.stderr.write('Nothing to resume: no interrupted runs in this workspace.\n');
      return exitCodes.success;
    }
    // Every run is checked before any resumes: a run that cannot run here starts nothing.
    for (const id of runIds) {
      const state = runtime.engine.getRunState(id);
      if (state) warnPreflight(runtime, state, context.streams.stderr);
    }
    await reapOrphans(runtime);
    let worst: number = exitCodes.success;
    for (const id of runIds) {
      const handle = await runtime.engine.resumeRun(id);
      const code = await followRun(runtime, handle, {
        json: options.json ?? false,
        ...context.streams,
        cwd: context.cwd,
      });
      worst = Math.max(worst, code);
      if (code === exitCodes.interrupted) break;
    }
    return worst;
  } finally {
    await runtime.close();
  }
}
