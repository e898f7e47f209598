/** `ai-collab workers [--redis URL] [--json]`: the workers registered on a Redis, alive or not. */
import { defaultPrefix, requireRedis } from '../../distributed/coordinator.js';
import { openRedis } from '../../distributed/redis-connection.js';
import { isAlive, listWorkers } from '../../distributed/worker-registry.js';
import { terminalSafe } from '../../support/control-characters.js';
import { formatDuration } from '../../support/format-duration.js';
import { exitCodes } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';

export async function workersCommand(
  options: { redis?: string; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const config = context.loadConfig();
  const target = await requireRedis(
    options.redis,
    config,
    context.environment,
    'which Redis? workers register there',
  );
  const client = openRedis(target);
  try {
    const now = Date.now();
    const workers = (await listWorkers(client, config.distributed?.prefix ?? defaultPrefix)).map((entry) => ({
      ...entry,
      alive: isAlive(entry, now),
    }));
    const { stdout } = context.streams;
    if (options.json) {
      stdout.write(`${JSON.stringify({ redis: target.shown, workers }, null, 2)}\n`);
      return exitCodes.success;
    }
    if (workers.length === 0) {
      stdout.write(`no workers on ${target.shown}; start one with: ai-collab worker --redis URL\n`);
      return exitCodes.success;
    }
    for (const worker of workers) {
      const age = formatDuration(Math.max(0, now - worker.heartbeatAt));
      stdout.write(
        `${terminalSafe(worker.name)}  ${worker.alive ? 'alive' : 'gone '}  host ${terminalSafe(worker.host)}  agents ${worker.agents.map(terminalSafe).join(',')}  running ${worker.running.length}/${worker.concurrency}  heartbeat ${age} ago\n`,
      );
    }
    return exitCodes.success;
  } finally {
    client.disconnect();
  }
}
