/**
 * `ai-collab worker --redis URL [--dir DIR] [--agents a,b] [--concurrency N] [--name NAME]`: serves step
 * attempts of any coordinator on that Redis, for the agents usable here (this machine's CLIs and
 * credentials, as `doctor` says), until Ctrl-C or SIGTERM.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AgentSpec } from '../../agents/agent-spec.js';
import { buildAgentRegistry } from '../../agents/build-agents.js';
import { MemoryProcessRegistry, type ProcessRegistry } from '../../agents/process/process-registry.js';
import { agentUsability, resolveAgents } from '../../config/resolve-agents.js';
import { defaultPrefix, requireRedis } from '../../distributed/coordinator.js';
import { openRedis } from '../../distributed/redis-connection.js';
import { openSharedLimits } from '../../distributed/shared-limits.js';
import { startWatchdog, type Watchdog } from '../../distributed/worker/watchdog-client.js';
import { WorkerService } from '../../distributed/worker/worker-service.js';
import { ProviderLimiters } from '../../limits/provider-limiter.js';
import { providerKey } from '../../review/build-reviewers.js';
import { limitsFor } from '../../review/review-settings.js';
import { systemClock } from '../../support/clock.js';
import { terminalSafe } from '../../support/control-characters.js';
import { InputError } from '../../support/errors.js';
import { createJsonLogger, parseLogLevel } from '../../support/logger.js';
import { createGitRunner } from '../../workspace/git-runner.js';
import { exitCodes } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';

export interface WorkerOptions {
  redis?: string;
  dir?: string;
  agents?: string;
  concurrency?: number;
  name?: string;
  lockDuration?: number;
}

export async function workerCommand(options: WorkerOptions, context: CommandContext): Promise<number> {
  const { stderr } = context.streams;
  // Listening from the start: a stop asked for while the worker is still starting is honoured once it has.
  const stopAsked = new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  const config = context.loadConfig();
  const target = await requireRedis(
    options.redis,
    config,
    context.environment,
    'a worker needs the Redis its coordinators use',
  );
  const environment = context.environment;
  const logger = createJsonLogger({ level: parseLogLevel(environment.AI_COLLAB_LOG_LEVEL) ?? 'error' });
  const directory = resolve(context.cwd, options.dir ?? '.ai-collab-worker');
  const specs = resolveAgents(config, environment);
  const { wanted, chosen } = chosenAgents(specs, options.agents);
  const prefix = config.distributed?.prefix ?? defaultPrefix;
  const watchdog = await startWatchdog({ clock: systemClock, report: (line) => stderr.write(`${line}\n`) });
  // API agents draw on the provider budgets every worker and coordinator on this Redis shares.
  const limitsRedis = openRedis(target);
  const limits = await openSharedLimits(limitsRedis, prefix, { clock: systemClock, logger });
  const limiters = new ProviderLimiters({ clock: systemClock, sharedBudget: limits.sharedBudget });
  const closeLimits = async () => {
    await limits.close();
    limitsRedis.disconnect();
  };
  const agents = buildAgentRegistry(
    chosen,
    {
      clock: systemClock,
      logger,
      environment,
      maxLogBytes: config.maxLogBytes,
      killGraceMs: config.killGraceMs,
      // Pooled processes are watched too: they die with the worker.
      processes: watchedProcesses(watchdog),
      workspace: directory,
      limiterFor: (spec) =>
        spec.adapter === 'openai'
          ? limiters.get(providerKey(spec), limitsFor(config.review, spec.baseUrl, spec.name))
          : undefined,
    },
    (spec) => agentUsability(spec, environment),
  );
  const offered = chosen.filter((spec) => agents.get(spec.name) !== undefined).map((spec) => spec.name);
  const unavailable = chosen
    .filter((spec) => agents.get(spec.name) === undefined)
    .map((spec) => ({ agent: spec.name, reason: agents.unavailableReason(spec.name) ?? 'cannot run here' }));
  if (offered.length === 0) {
    watchdog.close();
    await closeLimits();
    throw new InputError(
      'USAGE',
      'no agent can run on this worker',
      unavailable.map((entry) => entry.reason),
    );
  }
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const service = new WorkerService({
    target,
    prefix,
    directory,
    name,
    concurrency: options.concurrency ?? 1,
    agents,
    offered,
    unavailable,
    git: createGitRunner({ environment }),
    clock: systemClock,
    logger,
    watchdog,
    lockMs: options.lockDuration ?? 30_000,
    report: (line) => stderr.write(`${line}\n`),
    commands: {
      clock: systemClock,
      sourceEnvironment: environment,
      maxLogBytes: config.maxLogBytes,
      killGraceMs: config.killGraceMs,
    },
  });
  await service.start();
  announce(stderr, {
    name,
    offered,
    unavailable,
    target: target.shown,
    directory,
    named: wanted !== undefined,
  });
  await stopAsked;
  stderr.write('worker stopping: running attempts finish or return to the queue\n');
  await service.close();
  await agents.closeAll();
  await closeLimits();
  watchdog.close();
  return exitCodes.success;
}

/** The agents `--agents` names (each must be one of this machine's), or all of them. */
function chosenAgents(specs: Map<string, AgentSpec>, agentsOption: string | undefined) {
  const wanted = agentsOption
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted ?? []) {
    if (!specs.has(name))
      throw new InputError('USAGE', `--agents names "${name}", which is not an agent here`, [
        `--agents: choose from ${[...specs.keys()].join(', ')}, or configure agents.${name} in ai-collab.config.yaml`,
      ]);
  }
  const chosen = [...specs.values()].filter((spec) => !wanted || wanted.includes(spec.name));
  return { wanted, chosen };
}

/** Agent processes of this worker, each also given to the watchdog so it dies with the worker. */
function watchedProcesses(watchdog: Watchdog): ProcessRegistry {
  const processes = new MemoryProcessRegistry();
  return {
    add: (entry) => {
      processes.add(entry);
      watchdog.add({ pid: entry.pid, pgid: entry.pgid, startTime: entry.startTime, bootId: entry.bootId });
    },
    remove: (identity) => {
      processes.remove(identity);
      watchdog.remove(identity);
    },
    list: () => processes.list(),
  };
}

function announce(
  stderr: NodeJS.WritableStream,
  worker: {
    name: string;
    offered: string[];
    unavailable: Array<{ agent: string; reason: string }>;
    target: string;
    directory: string;
    /** Whether `--agents` named them. */
    named: boolean;
  },
): void {
  const { name, offered, unavailable, target, directory } = worker;
  stderr.write(
    `worker ${terminalSafe(name)} serves ${offered.map(terminalSafe).join(', ')} from ${target} (directory ${terminalSafe(directory)})\n`,
  );
  // Agents asked for by name get their reason; the built-in defaults only a line (doctor says why).
  if (worker.named)
    for (const entry of unavailable) stderr.write(`  not offered: ${terminalSafe(entry.reason)}\n`);
  else if (unavailable.length > 0)
    stderr.write(
      `  not offered here: ${unavailable.map((entry) => terminalSafe(entry.agent)).join(', ')} (ai-collab doctor says why)\n`,
    );
}
