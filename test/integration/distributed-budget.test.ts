import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import type { CommandContext } from '../../src/cli/commands/command-context.js';
import { withDistributed } from '../../src/cli/distributed-context.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openRedis, redisTarget } from '../../src/distributed/redis-connection.js';
import { openSharedLimits } from '../../src/distributed/shared-limits.js';
import { agentCatalogOf } from '../../src/plan/agent-catalog.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { tempDir } from '../support/temp-dir.js';
import { openCluster, redisMissing, redisUrl } from './distributed-support.js';

type RuntimeOptions = Parameters<CommandContext['openRuntime']>[2];

/** Stops `openRuntime` once it has seen its options: this test is about what distributed mode hands it. */
class OptionsSeen extends Error {
  readonly options: RuntimeOptions;
  constructor(options: RuntimeOptions) {
    super('openRuntime called');
    this.options = options;
  }
}

test('a coordinator opened with --redis gives its runtime the provider budget its workers share', async (t) => {
  const missing = await redisMissing();
  if (missing) return t.skip(missing);
  const cluster = openCluster();
  const workspace = tempDir();
  execFileSync('git', ['init', '-q', '-b', 'main', workspace]);
  execFileSync('git', [
    '-C',
    workspace,
    '-c',
    'user.name=t',
    '-c',
    'user.email=t@t',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'start',
  ]);
  const environment = { ...process.env, HOME: workspace, ...cluster.env() };
  const context: CommandContext = {
    cwd: workspace,
    environment,
    streams: { stdout: process.stdout, stderr: process.stderr },
    loadConfig: () => loadConfig(workspace, environment),
    agentCatalog: () => agentCatalogOf([]),
    openRuntime: (_config, _db, options) => {
      throw new OptionsSeen(options);
    },
  };
  const coordinator = await withDistributed(context, { redis: redisUrl });
  let seen: RuntimeOptions;
  try {
    coordinator.openRuntime(context.loadConfig(), undefined);
  } catch (error) {
    if (!(error instanceof OptionsSeen)) throw error;
    seen = error.options;
  }
  const budget = seen?.sharedBudget;
  assert.ok(budget, 'the runtime gets a shared budget');
  // A worker's view of the same account, on its own connection as another machine would have.
  const workerRedis = openRedis(redisTarget(redisUrl, 'test'));
  const worker = await openSharedLimits(workerRedis, cluster.prefix, {
    clock: systemClock,
    logger: silentLogger,
  });
  try {
    const limits = { requestsPerMinute: 2, burst: 2 };
    // Two requests from the coordinator use up the account's window: the worker must wait.
    assert.equal(await budget('agent:claude', limits).take(0), 0);
    assert.equal(await budget('agent:claude', limits).take(0), 0);
    assert.ok((await worker.sharedBudget('agent:claude', limits).take(0)) > 0, 'the worker waits');
  } finally {
    await worker.close();
    workerRedis.disconnect();
    await seen?.distributed?.close();
  }
});
