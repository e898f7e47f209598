/**
 * `--redis` (or AI_COLLAB_REDIS_URL, or distributed.redis) on a command that runs steps: opens distributed
 * mode before the command's runtime (refusing, exit 2, outside git or when Redis does not answer) and hands
 * it to every runtime the command opens.
 */
import type { Distributed } from '../distributed/coordinator.js';
import { redisUrlOf } from '../distributed/redis-url.js';
import { systemClock } from '../support/clock.js';
import { createJsonLogger, parseLogLevel } from '../support/logger.js';
import { createGitRunner } from '../workspace/git-runner.js';
import type { CommandContext } from './commands/command-context.js';
import { prepareStateDir, resolveStatePaths } from './state-paths.js';

export async function withDistributed(
  context: CommandContext,
  options: { redis?: string; db?: string },
): Promise<CommandContext> {
  const redis = redisUrlOf(options.redis, context.loadConfig(), context.environment);
  if (!redis) return context;
  const paths = resolveStatePaths(context.cwd, { db: options.db }, context.environment);
  prepareStateDir(paths, context.cwd);
  // Loaded only now: BullMQ and ioredis are a third of a local run's heap, and each spawn pays for it.
  const { openDistributed } = await import('../distributed/coordinator.js');
  let opened: Distributed | undefined = await openDistributed({
    redis,
    config: context.loadConfig(),
    workspace: context.cwd,
    stateDir: paths.stateDir,
    git: createGitRunner({ environment: context.environment }),
    clock: systemClock,
    logger: createJsonLogger({ level: parseLogLevel(context.environment.AI_COLLAB_LOG_LEVEL) ?? 'error' }),
    environment: context.environment,
    report: (line) => context.streams.stderr.write(`${line}\n`),
  });
  return {
    ...context,
    openRuntime: (config, db, runtimeOptions) => {
      // One runtime per command owns it (and closes it); a second would find it closed.
      const distributed = opened;
      opened = undefined;
      // The coordinator's own limiters (reviewers, rate-limit backoff) draw on the budgets its workers share.
      return context.openRuntime(config, db, {
        ...runtimeOptions,
        ...(distributed && { distributed, sharedBudget: distributed.sharedBudget }),
      });
    },
  };
}
