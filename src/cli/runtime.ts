/** The composition root of the command line: store, agents, limits and engine wired from config. */
import { hostname } from 'node:os';
import { baseEnvironmentPolicy, mergePolicies } from '../agents/process/child-environment.js';
import { identify } from '../agents/process/proc-table.js';
import { AgentRegistry } from '../agents/registry.js';
import { createShellAgent } from '../agents/shell/shell-agent.js';
import type { ResolvedConfig } from '../config/config-schema.js';
import { Engine } from '../engine/engine.js';
import { SlotPool } from '../limits/slot-pool.js';
import type { OwnerIdentity } from '../store/event-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type Clock, systemClock } from '../support/clock.js';
import { createJsonLogger, type Logger, parseLogLevel } from '../support/logger.js';
import { prepareStateDir, resolveStatePaths, type StatePaths } from './state-paths.js';

/** Agents a plan may name whose adapters this version does not ship; steps on them cannot start. */
const plannedAgents = ['claude', 'codex', 'gemini', 'opus', 'antigravity', 'reviewer'];

export interface Runtime {
  paths: StatePaths;
  store: SqliteStore;
  engine: Engine;
  agents: AgentRegistry;
  clock: Clock;
  logger: Logger;
  config: ResolvedConfig;
  close(): void;
}

export function createAgentRegistry(
  config: ResolvedConfig,
  environment: NodeJS.ProcessEnv,
  clock: Clock,
): AgentRegistry {
  const registry = new AgentRegistry();
  const shellSettings = config.agents.shell;
  registry.register(
    'shell',
    createShellAgent({
      clock,
      environment: mergePolicies(baseEnvironmentPolicy, {
        names: shellSettings?.passEnv ?? [],
        prefixes: [],
      }),
      sourceEnvironment: environment,
      maxLogBytes: config.maxLogBytes,
      killGraceMs: config.killGraceMs,
      drainMs: 2_000,
    }),
  );
  for (const name of plannedAgents) {
    registry.markUnavailable(
      name,
      `agent "${name}" cannot run steps in this version: only shell steps can run`,
    );
  }
  return registry;
}

export function openRuntime(options: {
  workspace: string;
  db?: string | undefined;
  config: ResolvedConfig;
  environment: NodeJS.ProcessEnv;
}): Runtime {
  const clock = systemClock;
  const logger = createJsonLogger({
    level: parseLogLevel(options.environment.AI_COLLAB_LOG_LEVEL) ?? 'warn',
  });
  const paths = resolveStatePaths(options.workspace, { db: options.db }, options.environment);
  prepareStateDir(paths, options.workspace);
  const store = new SqliteStore({ path: paths.databaseFile, clock });
  const agents = createAgentRegistry(options.config, options.environment, clock);
  const perAgent: Record<string, number> = {};
  for (const [name, settings] of Object.entries(options.config.agents)) {
    if (settings.concurrency !== undefined) perAgent[name] = settings.concurrency;
  }
  const engine = new Engine({
    store,
    clock,
    logger,
    random: Math.random,
    agents,
    slots: new SlotPool({
      ...(options.config.concurrency !== undefined && { global: options.config.concurrency }),
      perAgent,
    }),
    owner: ownIdentity(),
    stateDir: paths.stateDir,
    killGraceMs: options.config.killGraceMs,
  });
  return { paths, store, engine, agents, clock, logger, config: options.config, close: () => store.close() };
}

function ownIdentity(): OwnerIdentity {
  const self = identify(process.pid);
  return {
    pid: process.pid,
    startTime: self?.startTime ?? '0',
    bootId: self?.bootId ?? 'unknown',
    host: hostname(),
  };
}
