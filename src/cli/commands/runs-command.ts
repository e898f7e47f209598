/** `ai-collab runs`: the runs of this workspace, newest first. */
import pc from 'picocolors';
import { isResumable } from '../../engine/resumable.js';
import type { RunRecord } from '../../store/event-store.js';
import { terminalSafe } from '../../support/control-characters.js';
import { exitCodes } from '../exit-codes.js';
import { colorStatus } from '../output/step-style.js';
import { openStateReader } from '../state-reader.js';
import type { CommandContext } from './command-context.js';

export async function runsCommand(
  options: { json?: boolean; all?: boolean; db?: string },
  context: CommandContext,
): Promise<number> {
  // A broken configuration is reported by every command alike, though reading runs needs none of it.
  context.loadConfig();
  const reader = openStateReader(context.cwd, options.db, context.environment);
  try {
    const runs = reader.listRuns(options.all ? undefined : context.cwd);
    if (options.json) {
      context.streams.stdout.write(`${JSON.stringify(runs.map(toJson))}\n`);
      return exitCodes.success;
    }
    const out = context.streams.stdout;
    if (runs.length === 0) {
      out.write('No runs yet. Start one with: ai-collab run <plan.yaml>\n');
      return exitCodes.success;
    }
    const colors = pc.createColors('isTTY' in out && out.isTTY === true && !process.env.NO_COLOR);
    out.write(
      `${colors.gray(`${'run'.padEnd(24)}${'status'.padEnd(13)}${'work'.padEnd(10)}${'steps'.padEnd(7)}${'created'.padEnd(21)}name`)}\n`,
    );
    for (const run of runs) {
      const status = displayStatus(run);
      out.write(
        `${run.runId.padEnd(24)}${colorStatus(status, colors)}${' '.repeat(Math.max(1, 13 - status.length))}${(run.landing ?? '').padEnd(10)}${String(run.stepCount).padEnd(7)}${new Date(run.createdAt).toISOString().slice(0, 19).replace('T', ' ').padEnd(21)}${terminalSafe(run.name)}\n`,
      );
    }
    return exitCodes.success;
  } finally {
    reader.close();
  }
}

/** A run whose owner died still says `running` in the store; show what it really is. */
export function displayStatus(run: RunRecord): string {
  return (run.status === 'running' || run.status === 'paused') && isResumable(run)
    ? 'interrupted'
    : run.status;
}

function toJson(run: RunRecord) {
  return {
    runId: run.runId,
    name: run.name,
    status: displayStatus(run),
    steps: run.stepCount,
    workspace: run.workspace,
    planFile: run.planFile,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    landing: run.landing,
  };
}
