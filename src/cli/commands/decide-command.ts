/** `ai-collab approve RUN_ID` / `ai-collab reject RUN_ID`: decide on a plan waiting for approval, from any shell. */
import { exitCodes } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';

export async function decideCommand(
  decision: 'approved' | 'rejected',
  runId: string,
  options: { reason?: string; db?: string },
  context: CommandContext,
): Promise<number> {
  const runtime = context.openRuntime(context.loadConfig(), options.db);
  try {
    const counted = runtime.engine.decide(runId, {
      decision,
      by: 'cli',
      ...(options.reason !== undefined && { reason: options.reason }),
    });
    const verb = decision === 'approved' ? 'approved' : 'rejected';
    context.streams.stderr.write(
      counted
        ? `Run ${runId} ${verb}. The process waiting for it continues; if none is, run: ai-collab resume ${runId}\n`
        : `Run ${runId} was already decided by someone else; that decision stands.\n`,
    );
    return counted ? exitCodes.success : exitCodes.failure;
  } finally {
    await runtime.close();
  }
}
