import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { type CliProcess, type CliResult, runCli, startCli, waitFor } from '../support/cli.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { deleteKeysUnder } from '../support/redis-keys.js';
import { tempDir } from '../support/temp-dir.js';
import { startWorkerCli } from '../support/worker-cli.js';

// Distributed mode against the real Redis at 127.0.0.1:6379 (`.ci/run` starts one), real worker processes,
// each with its own folder and HOME as separate machines would have. Every test file uses its own queue
// prefix and removes its keys afterwards: the Redis is shared.

export const redisUrl = process.env.AI_COLLAB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why the tests cannot run (no Redis answering), or '' when they can. */
export async function redisMissing(): Promise<string | false> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return false;
  } catch {
    return skipWhenMissing(`no Redis answers at ${redisUrl}; start redis-server`) || false;
  } finally {
    client.disconnect();
  }
}

export interface Cluster {
  prefix: string;
  /** Environment every process of this cluster gets (the queue prefix, plus what the caller adds). */
  env(extra?: Record<string, unknown>): Record<string, string>;
  startWorker(name: string, options?: WorkerStart): Promise<StartedWorker>;
  coordinator(args: string[], cwd: string, extra?: Record<string, unknown>): Promise<CliResult>;
  startCoordinator(args: string[], cwd: string, extra?: Record<string, unknown>): CliProcess;
  /** `run <plan> --yes --no-review --json` on a coordinator in `cwd`, to its end. */
  runPlan(plan: string, cwd: string, extra?: Record<string, unknown>): Promise<CliResult>;
  /** The same, started: for tests that act while the run goes. */
  startRunPlan(plan: string, cwd: string, extra?: Record<string, unknown>): CliProcess;
  /** `runPlan`, checked to have exited 0 with the run succeeded; the run it reported. */
  runToSuccess(plan: string, cwd: string, extra?: Record<string, unknown>): Promise<RunReport>;
  redis: Redis;
}

export interface WorkerStart {
  /** Extra configuration (merged into AI_COLLAB_CONFIG_JSON), e.g. agents. */
  config?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
}

export interface StartedWorker {
  name: string;
  directory: string;
  home: string;
  process: CliProcess;
  stop(): Promise<void>;
}

/**
 * A cluster on the shared Redis, or on a private one the test may stop and restart (stopped last, after the
 * cluster's workers).
 */
export function openCluster(own?: PrivateRedis): Cluster {
  const url = own?.url ?? redisUrl;
  const prefix = `t-${randomBytes(5).toString('hex')}`;
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const workers: StartedWorker[] = [];
  const coordinators: CliProcess[] = [];
  const configJson = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ...extra, distributed: { prefix, ...(extra.distributed as object | undefined) } });
  const env = (extra: Record<string, unknown> = {}) => ({ AI_COLLAB_CONFIG_JSON: configJson(extra) });
  const startedCoordinator = (args: string[], cwd: string, extra?: Record<string, unknown>): CliProcess => {
    const started = startCli([...args, '--redis', url], { cwd, env: env(extra) });
    coordinators.push(started);
    return started;
  };
  after(async () => {
    // Cleanup, not a check: a coordinator a failed test left waiting must not outlive the test file.
    for (const { child } of coordinators)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(coordinators.map((coordinator) => coordinator.result));
    await Promise.all(workers.map((worker) => worker.stop()));
    try {
      await deleteKeysUnder(redis, prefix);
    } finally {
      redis.disconnect();
      await own?.stop();
    }
  });
  return {
    prefix,
    redis,
    env,
    async startWorker(name, options = {}) {
      const directory = tempDir(`ai-collab-worker-${name}-`);
      const home = tempDir(`ai-collab-worker-home-${name}-`);
      const child = await startWorkerCli({
        name,
        redisUrl: url,
        directory,
        env: { HOME: home, ...env(options.config), ...options.env },
        ...(options.args && { args: options.args }),
      });
      const worker: StartedWorker = {
        name,
        directory,
        home,
        process: child,
        async stop() {
          if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
          // Cleanup, not a check: a worker that does not end on SIGTERM must not hold the test file open.
          const forced = setTimeout(() => child.child.kill('SIGKILL'), 60_000);
          await child.result;
          clearTimeout(forced);
        },
      };
      workers.push(worker);
      return worker;
    },
    coordinator: (args, cwd, extra) => runCli([...args, '--redis', url], { cwd, env: env(extra) }),
    startCoordinator: startedCoordinator,
    runPlan: (plan, cwd, extra) => runCli([...runPlanArgs(plan), '--redis', url], { cwd, env: env(extra) }),
    startRunPlan: (plan, cwd, extra) => startedCoordinator(runPlanArgs(plan), cwd, extra),
    async runToSuccess(plan, cwd, extra) {
      return succeededRun(await this.runPlan(plan, cwd, extra));
    },
  };
}

const runPlanArgs = (plan: string) => ['run', plan, '--yes', '--no-review', '--json'];

/** A cluster on the shared Redis with these workers started, each with `options`. */
export async function clusterWith(
  names: readonly string[],
  options?: WorkerStart,
): Promise<{ cluster: Cluster; workers: StartedWorker[] }> {
  const cluster = openCluster();
  const workers = await Promise.all(names.map((name) => cluster.startWorker(name, options)));
  return { cluster, workers };
}

const runReport = z.object({ runId: z.string(), status: z.string() });
export type RunReport = z.infer<typeof runReport>;

/** The run a coordinator's `--json` output reports last (`resume` prints one line per run it resumed). */
export function reportedRun(result: CliResult): RunReport {
  return runReport.parse(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}'));
}

/** `reportedRun`, checked: the coordinator exited 0 and the run succeeded. */
export function succeededRun(result: CliResult): RunReport {
  assert.equal(result.code, 0, result.stderr);
  const run = reportedRun(result);
  assert.equal(run.status, 'succeeded');
  return run;
}

/** Lines of a marker file each step appends to when it runs: how many times it ran, and where. */
export function markerLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/** Writes a plan outside the repository (so it is not part of the run's start commit) and returns its path. */
export function planFile(text: string): string {
  const path = join(tempDir('ai-collab-plan-'), 'plan.yaml');
  writeFileSync(path, text);
  return path;
}

export interface PrivateRedis {
  url: string;
  /** Stops it (SHUTDOWN: the append-only file is flushed, as on a clean restart). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory: it loads its append-only file. */
  start(): Promise<void>;
}

/**
 * A Redis of the test's own, with AOF on, on a free port: a test may stop and restart it without touching
 * the machine's shared Redis on 6379.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const directory = tempDir('ai-collab-redis-');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes'];
    server = spawn('redis-server', [...args, '--save', '', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    await waitFor(ping, `the private Redis on port ${port} to answer`, 60_000);
  };
  const stop = async () => {
    const running = server;
    if (!running || running.exitCode !== null) return;
    const ended = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await ended;
  };
  // The cluster stops it after its workers; this only keeps a failed test from leaving it running.
  process.once('exit', () => server?.kill('SIGKILL'));
  await start();
  return { url, start, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
