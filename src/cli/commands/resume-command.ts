/** `ai-collab resume [RUN_ID]`: continue one interrupted run, or every interrupted run of this workspace. */
import { exitCodes } from '../exit-codes.js';
import { followRun } from '../follow-run.js';
import { reapOrphans } from '../runtime.js';
import type { CommandContext } from './command-context.js';

export async function resumeCommand(
  runId: string | undefined,
  options: { json?: boolean; db?: string },
  context: CommandContext,
): Promise<number> {
  const runtime = context.openRuntime(context.loadConfig(), options.db);
  try {
    const runIds =
      runId !== undefined ? [runId] : runtime.engine.resumableRuns(context.cwd).map((run) => run.runId);
    if (runIds.length === 0) {
      context.streams.stderr.write('Nothing to resume: no interrupted runs in this workspace.\n');
      return exitCodes.success;
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
