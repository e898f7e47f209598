/**
 * `ai-collab approve RUN_ID` / `ai-collab reject RUN_ID`: decide on a plan waiting for approval, from any
 * shell. An approval starts the run exactly once: in the process already waiting for it if there is one,
 * otherwise here in the foreground with the live view (or, with `--detach`, not at all: `resume` starts it).
 */

import { exitCodes } from '../exit-codes.js';
import { followRun } from '../follow-run.js';
import { buildRunReport } from '../run-report.js';
import { reapOrphans } from '../runtime.js';
import { warnPreflight } from '../start-preflight.js';
import type { CommandContext } from './command-context.js';

export interface DecideCommandOptions {
  reason?: string;
  db?: string;
  /** approve: record the approval and return; the run is left for `resume` unless a process waits for it. */
  detach?: boolean;
  json?: boolean;
}

export async function decideCommand(
  decision: 'approved' | 'rejected',
  runId: string,
  options: DecideCommandOptions,
  context: CommandContext,
): Promise<number> {
  const runtime = await context.openRuntime(context.loadConfig(), options.db);
  const { stderr, stdout } = context.streams;
  try {
    const input = {
      decision,
      by: 'cli',
      ...(options.reason !== undefined && { reason: options.reason }),
    };
    const state = runtime.engine.getRunState(runId);
    if (decision === 'approved' && state?.status === 'awaiting_approval') {
      warnPreflight(runtime, state, stderr);
      if (!options.detach) await reapOrphans(runtime);
    }
    const outcome = await runtime.engine.decideRun(runId, input, { start: !options.detach });
    if (!outcome.counted) {
      stderr.write(`Run ${runId} was already decided by someone else; that decision stands.\n`);
      return exitCodes.failure;
    }
    if (outcome.decision === 'approved' && outcome.runsIn === 'this-process') {
      return await followRun(runtime, outcome.handle, {
        json: options.json ?? false,
        ...context.streams,
        cwd: context.cwd,
      });
    }
    stderr.write(
      outcome.decision === 'rejected'
        ? `Run ${runId} rejected; it ended cancelled and nothing ran.\n`
        : outcome.runsIn === 'waiting-process'
          ? `Run ${runId} approved; process ${outcome.pid}, which was waiting for it, runs it.\n`
          : `Run ${runId} approved, not started (--detach); start it with: ai-collab resume ${runId}\n`,
    );
    const after = runtime.engine.getRunState(runId);
    if (options.json && after) stdout.write(`${JSON.stringify(buildRunReport(after))}\n`);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}
