/**
 * `ai-collab retry RUN_ID [STEP...]`: runs the failed and blocked steps of an ended run again (or the ones
 * named), each with a fresh retry budget — the dashboard's "Retry step", recorded in the run's log as
 * `step.retry-requested`. The run continues in the foreground like `resume`; `--detach` only records the
 * retry and leaves the run for `ai-collab resume`.
 */
import { exitCodes } from '../exit-codes.js';
import { followRun } from '../follow-run.js';
import { buildRunReport } from '../run-report.js';
import { reapOrphans } from '../runtime.js';
import { warnPreflight } from '../start-preflight.js';
import { type CommandContext, openContinuingRuntime } from './command-context.js';

export interface RetryCommandOptions {
  json?: boolean;
  db?: string;
  detach?: boolean;
  /** Commander's negated `--no-review`: false when given. */
  review?: boolean;
}

export async function retryCommand(
  runId: string,
  stepIds: readonly string[],
  options: RetryCommandOptions,
  context: CommandContext,
): Promise<number> {
  const runtime = await openContinuingRuntime(context, options);
  const { stderr, stdout } = context.streams;
  try {
    const before = runtime.engine.getRunState(runId);
    if (before) warnPreflight(runtime, before, stderr);
    if (!options.detach) await reapOrphans(runtime);
    const handle = await runtime.engine.retrySteps(runId, stepIds, 'cli', { start: !options.detach });
    if (handle) {
      return await followRun(runtime, handle, {
        json: options.json ?? false,
        ...context.streams,
        cwd: context.cwd,
      });
    }
    stderr.write(
      `Run ${runId}: retry recorded, not started (--detach); start it with: ai-collab resume ${runId}\n`,
    );
    const state = runtime.engine.getRunState(runId);
    if (options.json && state) stdout.write(`${JSON.stringify(buildRunReport(state))}\n`);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}
