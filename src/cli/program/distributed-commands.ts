/** Distributed mode on the command line: the worker, the list of workers, and `--redis` on the run commands. */
import type { Command } from 'commander';
import type { CliSession } from './cli-session.js';
import { lockDuration, positiveInteger } from './option-parsers.js';

export function defineDistributedCommands(program: Command, session: CliSession): void {
  program
    .command('worker')
    .description(
      'run step attempts for coordinators on a Redis (ai-collab run … --redis URL), with the agents usable here',
    )
    .option('--redis <url>', 'the Redis the coordinators use (or AI_COLLAB_REDIS_URL, distributed.redis)')
    .option('--dir <dir>', 'where the cached clone and attempt worktrees live (default ./.ai-collab-worker)')
    .option('--agents <names>', 'comma-separated agents to offer (default: every agent usable here)')
    .option('-c, --concurrency <n>', 'attempts at once per agent (default 1)', positiveInteger)
    .option('--name <name>', 'name shown by ai-collab workers (default host-pid)')
    .option(
      '--lock-duration <ms>',
      "how long an attempt stays this worker's without a heartbeat before it runs elsewhere (default 30000)",
      lockDuration,
    )
    .action(async (options) => {
      const { workerCommand } = await import('../commands/worker-command.js');
      session.exitCode = await workerCommand(options, session.context);
    });

  program
    .command('workers')
    .description(
      'list the workers registered on a Redis: name, host, agents, running attempts, last heartbeat',
    )
    .option('--redis <url>', 'the Redis (or AI_COLLAB_REDIS_URL, distributed.redis)')
    .option('--json', 'print a JSON object')
    .action(async (options) => {
      const { workersCommand } = await import('../commands/workers-command.js');
      session.exitCode = await workersCommand(options, session.context);
    });

  // `--redis` on run, plan, resume and serve: Redis and the git endpoint are checked and opened before
  // the command opens its runtime, whose agents then run on workers.
  program.hook('preAction', async (_program, action) => {
    if (!['run', 'plan', 'resume', 'serve'].includes(action.name())) return;
    const options = action.opts<{ redis?: string; db?: string }>();
    const { withDistributed } = await import('../distributed-context.js');
    session.context = await withDistributed(session.context, options);
  });
}
