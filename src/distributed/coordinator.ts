/**
 * Distributed mode on the coordinator's side, opened once per process before the runtime: checks that the
 * workspace is a git repository and that Redis answers (both refused with exit 2 and the fix), starts the
 * git endpoint over the exchange repository, and builds the registry of remote agents the engine uses in
 * place of local ones.
 */
import { join } from 'node:path';
import type { AgentSpec } from '../agents/agent-spec.js';
import { AgentRegistry } from '../agents/registry.js';
import type { ResolvedConfig } from '../config/config-schema.js';
import type { ProviderLimitersDeps } from '../limits/provider-limiter.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { Git } from '../workspace/git-runner.js';
import { AgentQueues } from './agent-queues.js';
import { attemptRecords } from './attempt-records.js';
import { type ClusterView, clusterView } from './cluster-view.js';
import { type GitEndpoint, startGitEndpoint } from './git-endpoint.js';
import { checkoutStarts, type GitExchange, openGitExchange, openRemoteExchange } from './git-exchange.js';
import {
  assertRedisReachable,
  openRedis,
  type RedisTarget,
  redisTarget,
  reportConnection,
} from './redis-connection.js';
import { redisUrlOf } from './redis-url.js';
import { RemoteAgent } from './remote-agent.js';
import { openSharedLimits } from './shared-limits.js';
import { WorkerPresence } from './worker-presence.js';
import { listWorkers } from './worker-registry.js';

export const defaultPrefix = 'ai-collab';

export interface Distributed {
  target: RedisTarget;
  prefix: string;
  /** The coordinator's git endpoint; absent when `distributed.gitUrl` names a remote instead. */
  endpoint?: GitEndpoint;
  /** Provider budgets shared with the workers and other coordinators on this Redis (for `openRuntime`). */
  sharedBudget: NonNullable<ProviderLimitersDeps['sharedBudget']>;
  /** The workers and queue depths, for the dashboard and `/metrics`. */
  cluster: ClusterView;
  /** Remote agents for every agent name the configuration knows (workers decide whether they can run it). */
  registry(specs: Iterable<AgentSpec>): AgentRegistry;
  close(): Promise<void>;
}

/** The Redis a worker or `workers` must use, checked to answer: named by the caller's reason when absent. */
export async function requireRedis(
  flag: string | undefined,
  config: ResolvedConfig,
  environment: NodeJS.ProcessEnv,
  why: string,
): Promise<RedisTarget> {
  const redis = redisUrlOf(flag, config, environment);
  if (!redis)
    throw new InputError('USAGE', why, [
      'give --redis redis://host:6379 (or set AI_COLLAB_REDIS_URL, or distributed.redis in ai-collab.config.yaml)',
    ]);
  const target = redisTarget(redis.url, redis.source);
  await assertRedisReachable(target);
  return target;
}

export async function openDistributed(options: {
  redis: { url: string; source: string };
  config: ResolvedConfig;
  workspace: string;
  stateDir: string;
  git: Git;
  clock: Clock;
  logger: Logger;
  environment: NodeJS.ProcessEnv;
  /** Where the coordinator says Redis was lost and is back (a line each). */
  report(line: string): void;
}): Promise<Distributed> {
  const target = redisTarget(options.redis.url, options.redis.source);
  const inRepository = await options
    .git(['rev-parse', '--is-inside-work-tree'], { cwd: options.workspace, okCodes: [0, 128] })
    .then((result) => result.code === 0 && result.stdout.trim() === 'true')
    .catch(() => false);
  if (!inRepository)
    throw new InputError(
      'USAGE',
      `${options.workspace} is not in a git repository; distributed mode needs one`,
      [
        'workers receive code only through git: run `git init` and commit, or leave out --redis (and AI_COLLAB_REDIS_URL, distributed.redis) to run here',
      ],
    );
  await assertRedisReachable(target);
  const settings = options.config.distributed ?? {};
  const prefix = settings.prefix ?? defaultPrefix;
  const { exchange, endpoint, grant } = await openWorkRemote(options, settings);
  const redis = openRedis(target);
  reportConnection(redis, target, options.report);
  const limits = await openSharedLimits(redis, prefix, { clock: options.clock, logger: options.logger });
  let concurrency = new Map<string, number>();
  const queues = new AgentQueues({
    target,
    prefix,
    redis,
    concurrencyOf: (agent) => concurrency.get(agent),
  });
  const presence = new WorkerPresence({ clock: options.clock, list: () => listWorkers(redis, prefix) });
  const checkoutStart = checkoutStarts(exchange);
  return {
    target,
    prefix,
    endpoint,
    sharedBudget: (key, providerLimits) => limits.sharedBudget(key, providerLimits),
    cluster: clusterView({ redis, prefix, shown: target.shown, queues, now: () => options.clock.now() }),
    registry(specs) {
      const registry = new AgentRegistry();
      const known = [...specs];
      concurrency = new Map(
        known.flatMap((spec) => (spec.concurrency === undefined ? [] : [[spec.name, spec.concurrency]])),
      );
      for (const spec of known) {
        registry.register(
          spec.name,
          new RemoteAgent(spec.name, {
            queues,
            exchange,
            grant,
            checkoutStart,
            presence,
            attempts: attemptRecords(redis, prefix),
          }),
          spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs },
        );
      }
      return registry;
    },
    async close() {
      await queues.close();
      await endpoint?.close();
      await limits.close();
      redis.disconnect();
    },
  };
}

/** Where git carries the work: the remote `distributed.gitUrl` names, else the coordinator's own endpoint. */
async function openWorkRemote(
  options: { workspace: string; stateDir: string; git: Git; environment: NodeJS.ProcessEnv },
  settings: NonNullable<ResolvedConfig['distributed']>,
): Promise<{
  exchange: GitExchange;
  endpoint?: GitEndpoint;
  grant(runId: string): { url: string; token?: string };
}> {
  if (settings.gitUrl !== undefined) {
    const url = settings.gitUrl;
    return { exchange: openRemoteExchange(options.git, url), grant: () => ({ url }) };
  }
  const exchange = await openGitExchange(options.git, {
    workspace: options.workspace,
    stateDir: options.stateDir,
  });
  const endpoint = await startGitEndpoint({
    repository: exchange.repository,
    host: settings.gitHost ?? '127.0.0.1',
    port: settings.gitPort ?? 0,
    ...(settings.gitAdvertiseHost && { advertisedHost: settings.gitAdvertiseHost }),
    environment: options.environment,
    stateFile: join(options.stateDir, 'distributed', 'endpoint.json'),
  });
  return { exchange, endpoint, grant: (runId) => endpoint.grant(runId) };
}
