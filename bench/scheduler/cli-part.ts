/**
 * Part 3: the whole product against `make`. The same DAG of trivial shell steps (`true`) runs through the
 * built CLI (`node dist/cli/bin.js run plan.yaml --yes`, a real process with its store, supervision and
 * output) and through `make -jN`, alternately, each in a fresh directory. Wall time is measured around the
 * process; CPU time is what the process and all it started used: read from a cgroup of its own where the
 * machine has cgroup v2 (so processes it did not reap itself, such as resident step launchers, count too),
 * else the children this bench reaped (cutime + cstime).
 * Extra, untimed CLI runs (one per repeat) with `spawn-timer.mjs` preloaded measure how long the CLI
 * spends inside node's `spawn` (fork and exec on the main thread), and when its first spawn began, so the
 * report can say how much of the gap to make is node's spawn itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createProcessCgroup, type ProcessCgroup } from '../../src/agents/process/cgroup.js';
import { median } from './stats.js';

export interface CliPartOptions {
  steps: number;
  concurrency: number;
  repeats: number;
}

export interface ProcessRun {
  wallMs: number;
  cpuMs: number;
}

export interface CliPartResults {
  options: CliPartOptions;
  cli: ProcessRun[];
  /** The same CLI with \`AI_COLLAB_LAUNCHER=spawn\`: every step a fork of the orchestrator, as before launchers. */
  cliSpawning: ProcessRun[];
  make: ProcessRun[];
  /** Bare `child_process.spawn('/bin/sh', ['-c', 'true'])`, N at a time, in a fresh node: any node orchestrator's floor. */
  nodeSpawn: ProcessRun[];
  /** From extra runs with spawn-timer.mjs preloaded (one per repeat, not among the timed runs). */
  spawnTimes: SpawnTimes[];
}

/** What spawn-timer.mjs writes: the CLI's spawns, the time inside them, and when the first began. */
export interface SpawnTimes {
  spawns: number;
  spawnMs: number;
  firstSpawnAtMs: number;
  /** The wall time of the run it measured (slower than a timed run: the preload wraps every spawn). */
  wallMs: number;
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtCli = join(projectRoot, 'dist', 'cli', 'bin.js');
const spawnTimer = fileURLToPath(new URL('./spawn-timer.mjs', import.meta.url));
const clockTicksPerSecond = 100;

export async function runCliPart(options: CliPartOptions): Promise<CliPartResults> {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` first`);
  const cli: ProcessRun[] = [];
  const cliSpawning: ProcessRun[] = [];
  const make: ProcessRun[] = [];
  const nodeSpawn: ProcessRun[] = [];
  const spawnTimes: SpawnTimes[] = [];
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    cli.push(await inFreshDirectory(options, (directory) => runCli(directory, options.concurrency)));
    cliSpawning.push(
      await inFreshDirectory(options, (directory) =>
        runCli(directory, options.concurrency, { AI_COLLAB_LAUNCHER: 'spawn' }),
      ),
    );
    make.push(await inFreshDirectory(options, (directory) => runMake(directory, options.concurrency)));
    nodeSpawn.push(await inFreshDirectory(options, (directory) => runNodeSpawn(directory, options)));
    spawnTimes.push(await inFreshDirectory(options, (directory) => timeCliSpawns(directory, options)));
  }
  return { options, cli, cliSpawning, make, nodeSpawn, spawnTimes };
}

export function medianRun(runs: readonly ProcessRun[]): ProcessRun {
  return { wallMs: median(runs.map((run) => run.wallMs)), cpuMs: median(runs.map((run) => run.cpuMs)) };
}

async function inFreshDirectory<Result>(
  options: CliPartOptions,
  measure: (directory: string) => Promise<Result>,
): Promise<Result> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    writeFileSync(join(directory, 'plan.yaml'), planYaml(options.steps));
    writeFileSync(join(directory, 'Makefile'), makefile(options.steps));
    return await measure(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function stepIds(steps: number): string[] {
  return Array.from({ length: steps }, (_, index) => `s${index + 1}`);
}

function planYaml(steps: number): string {
  return `name: trivial\nsteps:\n${stepIds(steps)
    .map((id) => `  - id: ${id}\n    run: "true"\n`)
    .join('')}`;
}

function makefile(steps: number): string {
  const ids = stepIds(steps);
  return `.PHONY: all ${ids.join(' ')}\nall: ${ids.join(' ')}\n${ids.map((id) => `${id}:\n\t@true\n`).join('')}`;
}

function runCli(
  directory: string,
  concurrency: number,
  environment: Record<string, string> = {},
): Promise<ProcessRun> {
  return measureProcess(
    process.execPath,
    [builtCli, 'run', 'plan.yaml', '--yes', '--concurrency', String(concurrency)],
    directory,
    environment,
  );
}

/** The CLI once more, with spawn-timer.mjs preloaded: what it wrote, and the wall time of that run. */
async function timeCliSpawns(directory: string, options: CliPartOptions): Promise<SpawnTimes> {
  const file = join(directory, 'spawn-times.json');
  const { wallMs } = await measureProcess(
    process.execPath,
    [
      '--import',
      spawnTimer,
      builtCli,
      'run',
      'plan.yaml',
      '--yes',
      '--concurrency',
      String(options.concurrency),
    ],
    directory,
    { BENCH_SPAWN_TIMES: file },
  );
  const written: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isSpawnTimes(written)) throw new Error(`${file} is not what spawn-timer.mjs writes`);
  return { ...written, wallMs };
}

/** The median of each measure of the spawn-timed runs. */
export function medianSpawnTimes(runs: readonly SpawnTimes[]): SpawnTimes {
  const of = (pick: (run: SpawnTimes) => number) => median(runs.map(pick));
  return {
    spawns: of((run) => run.spawns),
    spawnMs: of((run) => run.spawnMs),
    firstSpawnAtMs: of((run) => run.firstSpawnAtMs),
    wallMs: of((run) => run.wallMs),
  };
}

function isSpawnTimes(value: unknown): value is Omit<SpawnTimes, 'wallMs'> {
  if (typeof value !== 'object' || value === null) return false;
  const fields: Record<string, unknown> = { ...value };
  return ['spawns', 'spawnMs', 'firstSpawnAtMs'].every((key) => typeof fields[key] === 'number');
}

function runMake(directory: string, concurrency: number): Promise<ProcessRun> {
  return measureProcess('make', [`-j${concurrency}`, '--no-print-directory', 'all'], directory);
}

const nodeSpawnScript = `
const { spawn } = require('node:child_process');
const [steps, concurrency] = process.argv.slice(1).map(Number);
let started = 0;
const next = () => {
  if (started >= steps) return;
  started++;
  spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore', detached: true }).once('exit', next);
};
for (let slot = 0; slot < concurrency; slot++) next();
`;

function runNodeSpawn(directory: string, options: CliPartOptions): Promise<ProcessRun> {
  return measureProcess(
    process.execPath,
    ['-e', nodeSpawnScript, String(options.steps), String(options.concurrency)],
    directory,
  );
}

async function measureProcess(
  command: string,
  args: string[],
  cwd: string,
  extraEnvironment: Record<string, string> = {},
): Promise<ProcessRun> {
  const cpuBefore = reapedChildrenCpuMs();
  const cgroup = createProcessCgroup();
  const launched = cgroup ? cgroup.joiningCommand(command, args) : { command, args };
  const started = performance.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(launched.command, launched.args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', AI_COLLAB_HOME: '', ...extraEnvironment },
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  });
  const wallMs = performance.now() - started;
  if (code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${code}: ${output.join('').slice(-2000)}`);
  const cpuMs = cgroup ? await cgroupCpuMs(cgroup) : reapedChildrenCpuMs() - cpuBefore;
  return { wallMs, cpuMs };
}

/** Once every process of the cgroup is gone (after the wall time was taken): the CPU they all used. */
async function cgroupCpuMs(cgroup: ProcessCgroup): Promise<number> {
  while ((await cgroup.members()).length > 0) await sleep(10);
  const usage = /^usage_usec (\d+)$/m.exec(readFileSync(join(cgroup.path, 'cpu.stat'), 'utf8'));
  cgroup.remove();
  if (!usage) throw new Error(`${cgroup.path}/cpu.stat has no usage_usec`);
  return Number(usage[1]) / 1000;
}
/** User + system time of every child this process has reaped, and of theirs (fields 16 and 17 of stat). */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / clockTicksPerSecond;
}
