/**
 * Which Redis a command uses, if any. Its own module, free of Redis clients: every `run` asks, and a
 * local run must not load BullMQ and ioredis (a bigger heap makes each of its step spawns dearer).
 */
import type { ResolvedConfig } from '../config/config-schema.js';

export const redisUrlVariable = 'AI_COLLAB_REDIS_URL';

/** `--redis`, else AI_COLLAB_REDIS_URL, else `distributed.redis`; undefined: local mode. */
export function redisUrlOf(
  flag: string | undefined,
  config: ResolvedConfig,
  environment: NodeJS.ProcessEnv,
): { url: string; source: string } | undefined {
  if (flag) return { url: flag, source: '--redis' };
  const fromEnvironment = environment[redisUrlVariable]?.trim();
  if (fromEnvironment) return { url: fromEnvironment, source: redisUrlVariable };
  const fromConfig = config.distributed?.redis;
  return fromConfig ? { url: fromConfig, source: 'distributed.redis in the configuration' } : undefined;
}
