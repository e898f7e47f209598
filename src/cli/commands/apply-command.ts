/**
 * `ai-collab apply RUN_ID` and `ai-collab discard RUN_ID`: land a run's branch on your branch, or drop it.
 * Either is recorded in the run's log (`run.applied`, `run.discarded`), once: a repeat is refused before git.
 */
import { join } from 'node:path';
import { EventDecoder } from '../../engine/decode-events.js';
import { type Landing, recordLanding, refuseRepeatedLanding } from '../../engine/landing-log.js';
import { loadRunState } from '../../engine/load-run-state.js';
import { isResumable } from '../../engine/resumable.js';
import { InputError } from '../../support/errors.js';
import { applyRun } from '../../workspace/apply-run.js';
import { discardRun } from '../../workspace/discard-run.js';
import { exitCodes } from '../exit-codes.js';
import type { Runtime } from '../runtime.js';
import type { CommandContext } from './command-context.js';

/** Who landed or dropped the work, as the log names it. */
const by = 'cli';

export async function applyCommand(
  runId: string,
  options: { db?: string },
  context: CommandContext,
): Promise<number> {
  return withFinishedRun(runId, 'run.applied', options, context, async (runtime, workspace) => {
    const result = await applyRun(runtime.git, {
      workspace,
      runId,
      worktreesDir: join(runtime.paths.stateDir, 'worktrees'),
    });
    const how = {
      'fast-forward': 'fast-forwarded',
      merged: 'merged',
      'up-to-date': 'already had everything from',
    }[result.kind];
    context.streams.stderr.write(
      `${result.branch} ${how} the run branch (${result.files.length} files changed, ${result.from.slice(0, 10)} → ${result.to.slice(0, 10)}).\n`,
    );
    return {
      type: 'run.applied',
      data: {
        branch: result.branch,
        how: result.kind,
        from: result.from,
        commit: result.to,
        files: result.files.length,
        by,
      },
    };
  });
}

export async function discardCommand(
  runId: string,
  options: { db?: string },
  context: CommandContext,
): Promise<number> {
  return withFinishedRun(runId, 'run.discarded', options, context, async (runtime, workspace) => {
    const result = await discardRun(runtime.git, {
      workspace,
      runId,
      worktreesDir: join(runtime.paths.stateDir, 'worktrees'),
    });
    context.streams.stderr.write(
      `Removed ${result.removedBranches.length} branch(es) and ${result.removedWorktrees} worktree(s)${result.wasApplied ? '' : '; the run’s changes had not been applied and are gone'}.\n`,
    );
    return {
      type: 'run.discarded',
      data: {
        wasApplied: result.wasApplied,
        removedBranches: result.removedBranches.length,
        removedWorktrees: result.removedWorktrees,
        by,
      },
    };
  });
}

async function withFinishedRun(
  runId: string,
  type: Landing['type'],
  options: { db?: string },
  context: CommandContext,
  act: (runtime: Runtime, workspace: string) => Promise<Landing>,
): Promise<number> {
  const runtime = await context.openRuntime(context.loadConfig(), options.db);
  try {
    const run = runtime.store.getRun(runId);
    if (!run) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
    const active = run.status === 'running' || run.status === 'paused' || run.status === 'pending';
    if (active && !isResumable(run)) {
      throw new InputError(
        'RUN_OWNED',
        `run ${runId} is still running; wait for it to end (or stop it) first`,
      );
    }
    const state = loadRunState(
      runtime.store,
      runId,
      new EventDecoder(runtime.logger, runtime.store.location),
    );
    refuseRepeatedLanding(state, type);
    const landing = await act(runtime, run.workspace);
    recordLanding(runtime, runId, { status: run.status, lastSeq: state.lastSeq }, landing);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}
