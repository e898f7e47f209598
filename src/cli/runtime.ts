/** The composition root of the command line: store, agents, limits and engine wired from config. */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AgentSpec } from '../agents/agent-spec.js';
import { buildAgentRegistry } from '../agents/build-agents.js';
import { identify } from '../agents/process/proc-table.js';
import type { ProcessRegistry } from '../agents/process/process-registry.js';
import { reapOrphanedProcesses } from '../agents/process/reap-orphans.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { StepCommandSettings } from '../agents/shell/step-command.js';
import type { ResolvedConfig } from '../config/config-schema.js';
import { agentUsability, resolveAgents } from '../config/resolve-agents.js';
import type { Distributed } from '../distributed/coordinator.js';
import { priceTableWith } from '../engine/budget/price-table.js';
import { checkStage } from '../engine/check-stage.js';
import { Engine } from '../engine/engine.js';
import { ProviderBackoff } from '../limits/provider-backoff.js';
import {
  type LimiterStats,
  ProviderLimiters,
  type ProviderLimitersDeps,
} from '../limits/provider-limiter.js';
import { SlotPool } from '../limits/slot-pool.js';
import { providerKey } from '../review/build-reviewers.js';
import type { ReviewCode } from '../review/review-code.js';
import { limitsFor } from '../review/review-settings.js';
import type { OwnerIdentity } from '../store/event-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type Clock, systemClock } from '../support/clock.js';
import { createJsonLogger, type Logger, parseLogLevel } from '../support/logger.js';
import { createGitRunner, type Git } from '../workspace/git-runner.js';
import { createWorkspaceHooks } from '../workspace/workspace-hooks.js';
import { workspaceStepHooks } from '../workspace/workspace-step-hooks.js';
import { openNotifier } from './notify/open-notifier.js';
import { openReviewRuntime, type ReviewRuntime } from './review-runtime.js';
import { createPreflight, type Preflight } from './start-preflight.js';
import { prepareStateDir, resolveStatePaths, type StatePaths } from './state-paths.js';

export interface Runtime {
  paths: StatePaths;
  git: Git;
  store: SqliteStore;
  engine: Engine;
  agents: AgentRegistry;
  /** Concurrency slots shared by every run of this process. */
  slots: SlotPool;
  specs: Map<string, AgentSpec>;
  clock: Clock;
  logger: Logger;
  config: ResolvedConfig;
  /** The providers' shared rate-limit backoff, for steps and planning alike. */
  providers: ProviderBackoff;
  /** Provider rate limiters shared by every reviewer and model call of this process. */
  limiters?: { all(): Array<{ name: string; stats(): LimiterStats }> };
  /** The reviewer swarm on code or a diff; absent when no reviewer is usable. */
  reviewCode?: ReviewCode;
  /** The reviewer swarm, who is in it and who could not be (for preflight and `ai-collab review`). */
  review: ReviewRuntime;
  /** The pre-flight the engine runs before every start; front ends call it first to show its warnings. */
  preflight: Preflight;
  /** Distributed mode, when the command runs its steps on workers. */
  distributed?: Distributed;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  workspace: string;
  db?: string | undefined;
  config: ResolvedConfig;
  environment: NodeJS.ProcessEnv;
  /** `--no-isolation`: every step runs in the workspace itself. */
  isolation?: 'auto' | 'off';
  /** `resume --no-review`: no step of this process is reviewed. */
  review?: 'on' | 'off';
  /** Provider budgets shared with other processes (distributed mode: `limits/redis-limits.ts`). */
  sharedBudget?: ProviderLimitersDeps['sharedBudget'];
  /** `--redis`: step attempts run on workers; the agents here are their remote stand-ins. */
  distributed?: Distributed;
}

export function openRuntime(options: RuntimeOptions): Runtime {
  const clock = systemClock;
  const logger = createJsonLogger({
    level: parseLogLevel(options.environment.AI_COLLAB_LOG_LEVEL) ?? 'error',
  });
  const paths = resolveStatePaths(options.workspace, { db: options.db }, options.environment);
  prepareStateDir(paths, options.workspace);
  const store = new SqliteStore({ path: paths.databaseFile, clock });
  const specs = resolveAgents(options.config, options.environment);
  const { limiters, limiterOf, providers } = openProviderLimits(options, specs, clock);
  const agents = openAgents(options, specs, { clock, logger, store, limiterOf });
  const git = createGitRunner({ environment: options.environment });
  // `check:` and `workspace.setup` run as a shell step would: same allow-list, log cap and kill grace.
  const commands: StepCommandSettings = {
    clock,
    sourceEnvironment: options.environment,
    maxLogBytes: options.config.maxLogBytes,
    killGraceMs: options.config.killGraceMs,
  };
  const notifier = openNotifier(options.config.notify, { clock, logger, environment: options.environment });
  const workspaces = createWorkspaceHooks({
    git,
    clock,
    logger,
    worktreesDir: join(paths.stateDir, 'worktrees'),
    isolation: options.isolation ?? options.config.workspace.isolation,
    ...(options.config.workspace.bringIn && { bringIn: options.config.workspace.bringIn }),
    setup: { settings: commands, commands: options.config.workspace.setup ?? [] },
    ...(options.config.workspace.ports && { ports: options.config.workspace.ports }),
    // With `--redis` the agents work in the workers' checkouts: setup runs there, not here.
    ...(options.distributed && { setupOnAgent: true }),
  });
  const slots = slotPoolFor(options.config, specs);
  const review = openReviewRuntime({
    settings: options.config.review,
    specs,
    agents,
    limiters,
    clock,
    environment: options.environment,
    store,
    workspace: options.workspace,
    stateDir: paths.stateDir,
    logger,
    changesOf: (context) => workspaces.changesOf(context),
  });
  const preflight = createPreflight({ agents, review, reviewOff: options.review === 'off' });
  const engine = new Engine({
    store,
    clock,
    logger,
    random: Math.random,
    agents,
    slots,
    providers,
    owner: ownIdentity(),
    stateDir: paths.stateDir,
    killGraceMs: options.config.killGraceMs,
    prices: priceTableWith(options.config.prices),
    ...(options.config.budget !== undefined && { defaultBudget: options.config.budget }),
    // Review before merge: only an approved change lands on the run branch.
    hooks: workspaceStepHooks(workspaces, [
      checkStage(commands),
      ...(options.review === 'off' ? [] : [review.stage]),
    ]),
    // The reviewers learn from each run that ends; the notifier tells people.
    observers: [review.onEvent, ...(notifier ? [notifier.onEvent] : [])],
    preflight: (plan, steps) => {
      for (const warning of preflight(plan, steps)) logger.warn(warning);
    },
  });
  return {
    paths,
    git,
    store,
    engine,
    agents,
    slots,
    specs,
    clock,
    logger,
    config: options.config,
    limiters,
    providers,
    review,
    preflight,
    ...(review.reviewCode && { reviewCode: review.reviewCode }),
    ...(options.distributed && { distributed: options.distributed }),
    close: async () => {
      await notifier?.close();
      await agents.closeAll();
      await options.distributed?.close();
      store.close();
    },
  };
}

/**
 * One limiter per provider for the whole process: API agents' steps and reviewers share it, and a CLI
 * agent's steps share theirs (`agent:<name>`, as its reviewers do) for the engine's rate-limit backoff.
 */
function openProviderLimits(options: RuntimeOptions, specs: Map<string, AgentSpec>, clock: Clock) {
  const limiters = new ProviderLimiters({
    clock,
    ...(options.sharedBudget && { sharedBudget: options.sharedBudget }),
  });
  const limiterOf = (spec: AgentSpec) =>
    spec.adapter === 'openai'
      ? limiters.get(providerKey(spec), limitsFor(options.config.review, spec.baseUrl, spec.name))
      : limiters.get(`agent:${spec.name}`, limitsFor(options.config.review, undefined, spec.name));
  const providers = new ProviderBackoff((agent) => {
    const spec = specs.get(agent);
    if (!spec) return { limiter: limiters.get(`agent:${agent}`, {}), reportsRateLimits: false };
    // An API agent's client tells its limiter of each 429 itself.
    return { limiter: limiterOf(spec), reportsRateLimits: spec.adapter === 'openai' };
  }, clock);
  return { limiters, limiterOf, providers };
}

/** The agents steps run on: here, or (with `--redis`) their remote stand-ins for workers. */
function openAgents(
  options: RuntimeOptions,
  specs: Map<string, AgentSpec>,
  deps: {
    clock: Clock;
    logger: Logger;
    store: SqliteStore;
    limiterOf: (spec: AgentSpec) => ReturnType<ProviderLimiters['get']>;
  },
): AgentRegistry {
  if (options.distributed) return options.distributed.registry(specs.values());
  return buildAgentRegistry(
    specs.values(),
    {
      clock: deps.clock,
      logger: deps.logger,
      environment: options.environment,
      maxLogBytes: options.config.maxLogBytes,
      killGraceMs: options.config.killGraceMs,
      processes: storeProcessRegistry(deps.store),
      workspace: options.workspace,
      limiterFor: (spec) => (spec.adapter === 'openai' ? deps.limiterOf(spec) : undefined),
    },
    (spec) => agentUsability(spec, options.environment),
  );
}

/** Concurrency slots of the whole process: the configured total and each agent's own cap. */
function slotPoolFor(config: ResolvedConfig, specs: Map<string, AgentSpec>): SlotPool {
  const perAgent: Record<string, number> = {};
  for (const spec of specs.values()) {
    if (spec.concurrency !== undefined) perAgent[spec.name] = spec.concurrency;
  }
  return new SlotPool({ ...(config.concurrency !== undefined && { global: config.concurrency }), perAgent });
}

/** Before anything runs: stop pool processes left behind by orchestrators that died. */
export async function reapOrphans(runtime: Runtime): Promise<void> {
  const reaped = await reapOrphanedProcesses(
    storeProcessRegistry(runtime.store),
    runtime.clock,
    runtime.config.killGraceMs,
  );
  if (reaped > 0)
    runtime.logger.info('stopped agent processes left by an orchestrator that died', { reaped });
}

function storeProcessRegistry(store: SqliteStore): ProcessRegistry {
  return {
    add: (entry) => store.addProcess(entry),
    remove: (identity) => store.removeProcess(identity),
    list: () => store.listProcesses(),
  };
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
