/**
 * `npm run bench:distributed`: distributed mode on this machine against the real Redis (a fresh key prefix,
 * removed at the end), through the real CLI: the same plans run by the local engine (the baseline) and by a
 * coordinator with 1, 2 and 4 `ai-collab worker` processes, each with its own --dir and HOME.
 *
 * Every step appends its start (and end) time to a marker file, so the numbers exclude the CLI's start-up:
 * makespan is first start → last end; dispatch latency is a step's start minus the end of its last
 * dependency (an upper bound of ready → started: it includes the coordinator taking the result); no-op
 * throughput is steps over first start → last start. The kill part SIGKILLs the worker running a step and
 * times until the step starts again elsewhere. Exits 1 when a goal is missed.
 *
 * Options (after `npm run bench:distributed --`): --steps N (200 latency-bound steps), --noop N (10000),
 * --seconds S (0.5, each latency-bound step's sleep), --lock MS (5000, the workers' --lock-duration),
 * --seed N (1).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../../test/support/redis-keys.js';
import { startWorkerCli } from '../../test/support/worker-cli.js';
import { mulberry32 } from '../scheduler/prng.js';

const redisUrl = process.env.AI_COLLAB_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const goals = { speedup4: 3.6, dispatchP95Ms: 25, noopPerSecond: 1_000, killSlackMs: 5_000 };
const root = new URL('../..', import.meta.url).pathname;
const cliEntry = join(root, 'src', 'cli', 'bin.ts');
const tsxLoader = import.meta.resolve('tsx');
const scratch = mkdtempSync(join(tmpdir(), 'ai-collab-bench-distributed-'));
const prefix = `bench-${randomBytes(5).toString('hex')}`;
const configJson = JSON.stringify({ distributed: { prefix }, concurrency: 64 });

interface Mark {
  kind: 's' | 'e';
  id: string;
  at: number;
  where: string;
}

function cli(
  args: string[],
  cwd: string,
  home: string,
): { child: ChildProcess; stderr: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', AI_COLLAB_HOME: '', HOME: home, AI_COLLAB_CONFIG_JSON: configJson },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, done };
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let workerCount = 0;
async function startWorker(
  lockMs: number,
): Promise<{ child: ChildProcess; directory: string; done: Promise<number | null> }> {
  const name = `w${++workerCount}`;
  const directory = join(scratch, name);
  mkdirSync(join(directory, 'home'), { recursive: true });
  const worker = await startWorkerCli({
    name,
    redisUrl,
    directory,
    env: { HOME: join(directory, 'home'), AI_COLLAB_CONFIG_JSON: configJson },
    args: ['--agents', 'shell', '--lock-duration', String(lockMs)],
  });
  return { child: worker.child, directory, done: worker.result.then((result) => result.code) };
}

async function stopWorkers(
  workers: Array<{ child: ChildProcess; done: Promise<number | null> }>,
): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.done));
}

function repository(name: string): string {
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

/** A plan of `count` steps with 0–3 dependencies on earlier ones; each marks its start (and end). */
function planOf(name: string, count: number, sleepSeconds: number, markers: string, seed: number): string {
  const random = mulberry32(seed);
  const lines = [`name: ${name}`, 'steps:'];
  for (let index = 0; index < count; index++) {
    const needs = new Set<string>();
    const wanted = index === 0 ? 0 : Math.floor(random() * 4);
    for (let pick = 0; pick < wanted; pick++) needs.add(`s${Math.floor(random() * index)}`);
    const mark = (kind: string) => `echo ${kind} s${index} $(date +%s%3N) $PWD >> ${markers}`;
    const run = sleepSeconds > 0 ? `${mark('s')}; sleep ${sleepSeconds}; ${mark('e')}` : mark('s');
    const needsText = needs.size > 0 ? `, needs: [${[...needs].join(', ')}]` : '';
    lines.push(`  - { id: s${index}, agent: shell${needsText}, run: '${run}' }`);
  }
  return `${lines.join('\n')}\n`;
}

function readMarks(path: string): Mark[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, id, at, where] = line.split(' ');
      return { kind: kind === 'e' ? 'e' : 's', id: id ?? '', at: Number(at), where: where ?? '' };
    });
}

interface RunMeasure {
  makespanMs: number;
  dispatchMs: number[];
  starts: number[];
  code: number | null;
}

let runCount = 0;
async function runPlan(
  count: number,
  sleepSeconds: number,
  seed: number,
  redis: boolean,
): Promise<RunMeasure> {
  const name = `r${++runCount}`;
  const repo = repository(name);
  const markers = join(scratch, `${name}.marks`);
  const plan = join(scratch, `${name}.yaml`);
  writeFileSync(plan, planOf(name, count, sleepSeconds, markers, seed));
  const home = join(scratch, `${name}-home`);
  mkdirSync(home, { recursive: true });
  const args = ['run', plan, '--yes', '--no-review', ...(redis ? ['--redis', redisUrl] : [])];
  const code = await cli(args, repo, home).done;
  const marks = readMarks(markers);
  const starts = new Map(marks.filter((mark) => mark.kind === 's').map((mark) => [mark.id, mark.at]));
  const ends = new Map(marks.filter((mark) => mark.kind === 'e').map((mark) => [mark.id, mark.at]));
  const startTimes = [...starts.values()].sort((a, b) => a - b);
  const last = Math.max(...(ends.size > 0 ? ends.values() : startTimes));
  const dispatchMs: number[] = [];
  const random = mulberry32(seed);
  for (let index = 0; index < count; index++) {
    const wanted = index === 0 ? 0 : Math.floor(random() * 4);
    const needs: string[] = [];
    for (let pick = 0; pick < wanted; pick++) needs.push(`s${Math.floor(random() * index)}`);
    const start = starts.get(`s${index}`);
    const ready = Math.max(...needs.map((need) => ends.get(need) ?? Number.NaN));
    if (needs.length > 0 && start !== undefined && Number.isFinite(ready)) dispatchMs.push(start - ready);
  }
  return { makespanMs: last - (startTimes[0] ?? last), dispatchMs, starts: startTimes, code };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function killPart(lockMs: number): Promise<number> {
  const workers = [await startWorker(lockMs), await startWorker(lockMs)];
  const name = `r${++runCount}`;
  const repo = repository(name);
  const markers = join(scratch, `${name}.marks`);
  const plan = join(scratch, `${name}.yaml`);
  writeFileSync(
    plan,
    `name: ${name}\nsteps:\n  - { id: k, agent: shell, run: 'echo s k $(date +%s%3N) $PWD >> ${markers}; sleep 3' }\n`,
  );
  const home = join(scratch, `${name}-home`);
  mkdirSync(home, { recursive: true });
  const run = cli(['run', plan, '--yes', '--no-review', '--redis', redisUrl], repo, home);
  await until(() => readMarks(markers).length > 0, 'the step to start', 120_000);
  const first = readMarks(markers)[0];
  const victim = workers.find((worker) => first?.where.startsWith(worker.directory));
  if (!victim || !first) throw new Error('could not tell which worker runs the step');
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await until(() => readMarks(markers).length > 1, 'the step to run again', lockMs * 4 + 60_000);
  const again = readMarks(markers)[1];
  await run.done;
  await stopWorkers(workers);
  return (again?.at ?? Number.NaN) - killedAt;
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '200' },
      noop: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '0.5' },
      lock: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const steps = Number(values.steps);
  const noop = Number(values.noop);
  const seconds = Number(values.seconds);
  const lockMs = Number(values.lock);
  const seed = Number(values.seed);
  process.stdout.write(`bench:distributed  Redis ${redisUrl}, prefix ${prefix}, seed ${seed}\n`);
  process.stdout.write(`Part 1: ${steps} steps of ${seconds} s, 0–3 dependencies\n`);
  const local = await runPlan(steps, seconds, seed, false);
  process.stdout.write(`  local engine     makespan ${ms(local.makespanMs)}  (exit ${local.code})\n`);
  const makespans = new Map<number, number>();
  let dispatch: number[] = [];
  const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
  for (const count of [1, 2, 4]) {
    while (workers.length < count) workers.push(await startWorker(lockMs));
    const measured = await runPlan(steps, seconds, seed, true);
    makespans.set(count, measured.makespanMs);
    if (count === 4) dispatch = measured.dispatchMs;
    const base = makespans.get(1) ?? measured.makespanMs;
    process.stdout.write(
      `  ${count} worker(s)      makespan ${ms(measured.makespanMs)}  speed-up vs 1 worker ${(base / measured.makespanMs).toFixed(2)}×  (exit ${measured.code})\n`,
    );
  }
  const speedup = (makespans.get(1) ?? Number.NaN) / (makespans.get(4) ?? Number.NaN);
  const dispatchP50 = quantile(dispatch, 0.5);
  const dispatchP95 = quantile(dispatch, 0.95);
  process.stdout.write(
    `Part 2: dependency end → step start, 4 workers: p50 ${ms(dispatchP50)} p95 ${ms(dispatchP95)}; local p50 ${ms(quantile(local.dispatchMs, 0.5))} p95 ${ms(quantile(local.dispatchMs, 0.95))} (ratio p95 ${(dispatchP95 / quantile(local.dispatchMs, 0.95)).toFixed(1)}×)\n`,
  );
  process.stdout.write(`Part 3: ${noop} no-op steps\n`);
  const rate = (measured: RunMeasure) => {
    const span = (measured.starts.at(-1) ?? 0) - (measured.starts[0] ?? 0);
    return span > 0 ? ((measured.starts.length - 1) / span) * 1000 : Number.NaN;
  };
  const localNoop = await runPlan(noop, 0, seed + 1, false);
  const distributedNoop = await runPlan(noop, 0, seed + 1, true);
  const localRate = rate(localNoop);
  const distributedRate = rate(distributedNoop);
  process.stdout.write(
    `  local ${localRate.toFixed(0)} steps/s (exit ${localNoop.code}); 4 workers ${distributedRate.toFixed(0)} steps/s (exit ${distributedNoop.code}); ratio ${(distributedRate / localRate).toFixed(2)}×\n`,
  );
  await stopWorkers(workers);
  process.stdout.write(`Part 4: SIGKILL of the worker running a step (lock ${lockMs} ms)\n`);
  const rerunMs = await killPart(lockMs);
  process.stdout.write(
    `  running again ${ms(rerunMs)} after the kill; bound ${ms(lockMs + goals.killSlackMs)}\n`,
  );
  const met = {
    speedup: speedup >= goals.speedup4,
    dispatch: dispatchP95 <= goals.dispatchP95Ms,
    noop: distributedRate >= goals.noopPerSecond,
    kill: rerunMs <= lockMs + goals.killSlackMs,
  };
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(
    `summary: 4 vs 1 worker ${speedup.toFixed(2)}× (goal ≥ ${goals.speedup4}, ${mark(met.speedup)}); dispatch p95 ${ms(dispatchP95)} (goal ≤ ${goals.dispatchP95Ms}, ${mark(met.dispatch)}); no-op ${distributedRate.toFixed(0)}/s vs local ${localRate.toFixed(0)}/s (goal ≥ ${goals.noopPerSecond}, ${mark(met.noop)}); kill → re-run ${ms(rerunMs)} (goal ≤ ${ms(lockMs + goals.killSlackMs)}, ${mark(met.kill)}); ${steps} steps, ${noop} no-op\n`,
  );
  process.exitCode = Object.values(met).every(Boolean) ? 0 : 1;
}

async function cleanUp(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
}

try {
  await main();
} finally {
  await cleanUp();
}
