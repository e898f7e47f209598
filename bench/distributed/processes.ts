/**
 * The real processes of the distributed benchmark: the built CLI (`run`, `worker`), as users run it, with its
 * own HOME and the bench's key prefix, workers in their own folders, and scratch git repositories.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtCliEntry, cliCommand } from '../../test/support/cli.js';
import { startWorkerCli } from '../../test/support/worker-cli.js';

/** The bench runs the built CLI, as users do (and as bench:scheduler does), not the source through tsx. */
export function requireBuiltCli(): void {
  if (!existsSync(builtCliEntry)) throw new Error(`${builtCliEntry} is missing: run \`npm run build\` first`);
}

export interface Started {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<number | null>;
}

export interface BenchWorker {
  child: ChildProcess;
  directory: string;
  done: Promise<number | null>;
}

export interface BenchSetting {
  scratch: string;
  redisUrl: string;
  configJson: string;
}

export function cli(setting: BenchSetting, args: string[], cwd: string, home: string): Started {
  const child = spawn(process.execPath, [...cliCommand(true), ...args], {
    cwd,
    env: {
      ...process.env,
      NO_COLOR: '1',
      AI_COLLAB_HOME: '',
      HOME: home,
      AI_COLLAB_CONFIG_JSON: setting.configJson,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, done };
}

/** Polls a condition the bench cannot be told about (a file or a child's output); gives up after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let workerCount = 0;
export async function startWorker(
  setting: BenchSetting,
  options: { lockMs: number; concurrency: number },
): Promise<BenchWorker> {
  const name = `w${++workerCount}`;
  const directory = join(setting.scratch, name);
  mkdirSync(join(directory, 'home'), { recursive: true });
  const worker = await startWorkerCli({
    name,
    redisUrl: setting.redisUrl,
    directory,
    built: true,
    env: { HOME: join(directory, 'home'), AI_COLLAB_CONFIG_JSON: setting.configJson },
    args: [
      '--agents',
      'shell',
      '--lock-duration',
      String(options.lockMs),
      '--concurrency',
      String(options.concurrency),
    ],
  });
  return { child: worker.child, directory, done: worker.result.then((result) => result.code) };
}

export async function stopWorkers(workers: BenchWorker[]): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.done));
  workers.length = 0;
}

/** A fresh repository with one commit: each run's workspace. */
export function repository(scratch: string, name: string): string {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  const git = (...args: string[]) => spawnSyncChecked('git', ['-C', path, ...args]);
  git('init', '-q', '-b', 'main');
  writeFileSync(join(path, 'README'), 'bench\n');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'start');
  return path;
}

function spawnSyncChecked(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'pipe' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}
