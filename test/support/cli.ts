import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const cliEntry = join(root, 'src', 'cli', 'bin.ts');
/** The built command line (`npm run build`): what users run, without tsx compiling at start. */
export const builtCliEntry = join(root, 'dist', 'cli', 'bin.js');
export const fixturesDir = join(root, 'test', 'fixtures');
/** tsx resolved from this repository, since the child runs in a temporary workspace. */
export const tsxLoader = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  result: Promise<CliResult>;
  stderrSoFar(): string;
}

/** How a child runs the command line: from source through tsx (tests), or the built one (benchmarks). */
export function cliCommand(built = false): string[] {
  return built ? [builtCliEntry] : ['--import', tsxLoader, cliEntry];
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  built?: boolean;
  /** Node's own options, before the command line's (e.g. `--import` a preload). */
  nodeArgs?: readonly string[];
}

/** Starts the real command line (from source, through tsx, unless `built`) as a child process. */
export function startCli(args: string[], options: CliOptions): CliProcess {
  const nodeArgs = options.nodeArgs ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...cliCommand(options.built), ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', AI_COLLAB_HOME: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const result = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, result, stderrSoFar: () => stderr };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Polls `condition` until it holds or `timeoutMs` passes: waiting for an event, not sleeping for luck. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
