/**
 * `npm run bench:distributed`: distributed mode on this machine against the real Redis (a fresh key prefix,
 * removed at the end), through the real, built CLI (`npm run build` first): the same plans run by the local engine (the baseline) and by a
 * coordinator with `ai-collab worker` processes, each with its own --dir and HOME.
 *
 * Every step appends its start (and end) time to a marker file, so the numbers exclude the CLI's start-up.
 * Part 1: makespan (first start → last end) of latency-bound steps on 1, 2 and 4 workers of one slot each,
 * against the plan's own bound (no schedule beats max(critical path, steps ÷ slots)). Part 2: dispatch
 * latency, a step's start minus its last dependency's end (an upper bound of ready → started: it includes
 * the coordinator taking the dependency's result), measured only where a slot is free: a chain (one ready
 * step at a time, one worker), and the same plan as Part 1 with as many slots as the local engine has.
 * Part 3: no-op steps per second (over first → last start) through 4 workers, against local mode, with the
 * machine's floors measured in the same run (BullMQ alone with empty jobs; process starts per second).
 * Part 4: SIGKILL of the worker running a step → the step starts again elsewhere. Exits 1 when a goal is
 * missed.
 *
 * Options (after `npm run bench:distributed --`): --steps N (200 latency-bound steps), --chain N (40),
 * --noop N (10000), --seconds S (0.5, each latency-bound step's sleep), --slots N (16 per worker in Parts
 * 2–3: 4 × 16 = the local engine's 64), --lock MS (5000, the workers' --lock-duration), --seed N (1).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../../test/support/redis-keys.js';
import { quantile } from '../scheduler/stats.js';
import { measureFloors } from './floors.js';
import {
  chainDag,
  criticalPath,
  type Measured,
  nextRunName,
  randomDag,
  readMarks,
  runConcurrency,
  runPlan,
} from './plans.js';
import {
  type BenchSetting,
  type BenchWorker,
  cli,
  repository,
  requireBuiltCli,
  startWorker,
  stopWorkers,
  until,
} from './processes.js';

const redisUrl = process.env.AI_COLLAB_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const goals = { speedup4: 3.6, dispatchP95Ms: 25, noopPerSecond: 1_000, killSlackMs: 5_000 };
const localConcurrency = runConcurrency;
/** Processes a no-op step starts: its sh and the `date` of its marker; a worker adds one `git status`. */
const processesPerNoOp = { local: 2, distributed: 3 };
const prefix = `bench-${randomBytes(5).toString('hex')}`;
const setting: BenchSetting = {
  scratch: mkdtempSync(join(tmpdir(), 'ai-collab-bench-distributed-')),
  redisUrl,
  configJson: JSON.stringify({ distributed: { prefix }, concurrency: localConcurrency }),
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
const percentiles = (values: number[]) =>
  `p50 ${ms(quantile(values, 0.5))} p95 ${ms(quantile(values, 0.95))}`;

async function withWorkers<T>(
  count: number,
  options: { lockMs: number; concurrency: number },
  body: (workers: BenchWorker[]) => Promise<T>,
): Promise<T> {
  const workers: BenchWorker[] = [];
  try {
    while (workers.length < count) workers.push(await startWorker(setting, options));
    return await body(workers);
  } finally {
    await stopWorkers(workers);
  }
}

async function killPart(lockMs: number): Promise<number> {
  return withWorkers(2, { lockMs, concurrency: 1 }, async (workers) => {
    const name = nextRunName();
    const repo = repository(setting.scratch, name);
    const markers = join(setting.scratch, `${name}.marks`);
    const plan = join(setting.scratch, `${name}.yaml`);
    const step = `echo s k $(date +%s%3N) $PWD >> ${markers}; sleep 3`;
    writeFileSync(plan, `name: ${name}\nsteps:\n  - { id: k, agent: shell, run: '${step}' }\n`);
    const home = join(setting.scratch, `${name}-home`);
    mkdirSync(home, { recursive: true });
    const run = cli(setting, ['run', plan, '--yes', '--no-review', '--redis', redisUrl], repo, home);
    await until(() => readMarks(markers).length > 0, 'the step to start', 120_000);
    const first = readMarks(markers)[0];
    const victim = workers.find((worker) => first?.where.startsWith(worker.directory));
    if (!victim || !first) throw new Error('could not tell which worker runs the step');
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until(() => readMarks(markers).length > 1, 'the step to run again', lockMs * 4 + 60_000);
    const again = readMarks(markers)[1];
    await run.done;
    return (again?.at ?? Number.NaN) - killedAt;
  });
}

async function makespanPart(steps: number, seconds: number, seed: number, lockMs: number) {
  const dag = randomDag(steps, seed);
  const chain = criticalPath(dag);
  const ideal = steps / Math.max(chain, steps / 4);
  say(
    `Part 1: ${steps} steps of ${seconds} s, 0–3 dependencies (critical path ${chain} steps: 4 slots can be at most ${ideal.toFixed(2)}× one)`,
  );
  const makespans = new Map<number, number>();
  const workers: BenchWorker[] = [];
  try {
    for (const count of [1, 2, 4]) {
      while (workers.length < count) workers.push(await startWorker(setting, { lockMs, concurrency: 1 }));
      const measured = await runPlan(setting, dag, {
        sleepSeconds: seconds,
        markEnd: true,
        distributed: true,
      });
      makespans.set(count, measured.makespanMs);
      const base = makespans.get(1) ?? measured.makespanMs;
      const used = new Set(measured.where.values()).size;
      say(
        `  ${count} worker(s)   makespan ${ms(measured.makespanMs)}  vs 1 worker ${(base / measured.makespanMs).toFixed(2)}×  (${used} folders, exit ${measured.code}, load ${load()})`,
      );
    }
  } finally {
    await stopWorkers(workers);
  }
  return { speedup: (makespans.get(1) ?? Number.NaN) / (makespans.get(4) ?? Number.NaN), ideal, dag };
}

async function dispatchPart(
  dag: number[][],
  chainLength: number,
  seconds: number,
  slots: number,
  lockMs: number,
) {
  say(`Part 2: dispatch, dependency end → step start, only where a slot is free (load ${load()})`);
  const chain = chainDag(chainLength);
  const localChain = await runPlan(setting, chain, { sleepSeconds: 0, markEnd: true, distributed: false });
  const localPlan = await runPlan(setting, dag, { sleepSeconds: seconds, markEnd: true, distributed: false });
  const remoteChain = await withWorkers(1, { lockMs, concurrency: 1 }, () =>
    runPlan(setting, chain, { sleepSeconds: 0, markEnd: true, distributed: true }),
  );
  const remotePlan = await withWorkers(4, { lockMs, concurrency: slots }, () =>
    runPlan(setting, dag, { sleepSeconds: seconds, markEnd: true, distributed: true }),
  );
  const row = (label: string, local: Measured, remote: Measured) => {
    const ratio = quantile(remote.dispatchMs, 0.95) / quantile(local.dispatchMs, 0.95);
    say(
      `  ${label}: local ${percentiles(local.dispatchMs)}; distributed ${percentiles(remote.dispatchMs)}; p95 ratio ${ratio.toFixed(1)}×`,
    );
  };
  row(`chain of ${chainLength}, 1 worker`, localChain, remoteChain);
  row(
    `${dag.length}-step plan, 4 workers × ${slots} slots vs local ${localConcurrency}`,
    localPlan,
    remotePlan,
  );
  return { p95: quantile(remotePlan.dispatchMs, 0.95), chainP95: quantile(remoteChain.dispatchMs, 0.95) };
}

async function noopPart(noop: number, seed: number, slots: number, lockMs: number) {
  say(
    `Part 3: ${noop} no-op steps, 4 workers × ${slots} slots vs local ${localConcurrency} (load ${load()})`,
  );
  const dag = randomDag(noop, seed);
  const local = await runPlan(setting, dag, { sleepSeconds: 0, markEnd: false, distributed: false });
  const remote = await withWorkers(4, { lockMs, concurrency: slots }, () =>
    runPlan(setting, dag, { sleepSeconds: 0, markEnd: false, distributed: true }),
  );
  say(
    `  local ${local.startsPerSecond.toFixed(1)} steps/s (exit ${local.code}); 4 workers ${remote.startsPerSecond.toFixed(1)} steps/s (exit ${remote.code}); ratio ${(remote.startsPerSecond / local.startsPerSecond).toFixed(2)}×`,
  );
  const floors = await measureFloors({
    redisUrl,
    prefix: `${prefix}-floor`,
    jobs: 5_000,
    workers: 4,
    concurrency: slots,
  });
  say(
    `  floors now: BullMQ alone, empty jobs: one at a time add → processor ${percentiles(floors.bullmqDispatchMs)}, 5000 through 4 × ${slots}: ${floors.bullmqJobsPerSecond.toFixed(0)} jobs/s; process starts ${floors.spawnsPerSecond.toFixed(0)}/s (load ${load()})`,
  );
  // A no-op step here starts its sh and the `date` of its marker; on a worker also one `git status`.
  const spawnBound = floors.spawnsPerSecond / processesPerNoOp.distributed;
  say(
    `  process-start bound: ${processesPerNoOp.local} per step in local mode ≤ ${(floors.spawnsPerSecond / processesPerNoOp.local).toFixed(0)} steps/s, ${processesPerNoOp.distributed} per step on a worker ≤ ${spawnBound.toFixed(0)} steps/s; 4 workers reach ${((remote.startsPerSecond / spawnBound) * 100).toFixed(0)}% of it`,
  );
  return { local: local.startsPerSecond, remote: remote.startsPerSecond, spawnBound };
}

async function main(): Promise<void> {
  requireBuiltCli();
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '200' },
      chain: { type: 'string', default: '40' },
      noop: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '0.5' },
      slots: { type: 'string', default: '16' },
      lock: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const [steps, chain, noop, seconds, slots, lockMs, seed] = [
    values.steps,
    values.chain,
    values.noop,
    values.seconds,
    values.slots,
    values.lock,
    values.seed,
  ].map(Number) as [number, number, number, number, number, number, number];
  say(`bench:distributed  Redis ${redisUrl}, prefix ${prefix}, seed ${seed}, load ${load()}`);
  const part1 = await makespanPart(steps, seconds, seed, lockMs);
  const part2 = await dispatchPart(part1.dag, chain, seconds, slots, lockMs);
  const part3 = await noopPart(noop, seed + 1, slots, lockMs);
  say(`Part 4: SIGKILL of the worker running a step (lock ${lockMs} ms)`);
  const rerunMs = await killPart(lockMs);
  say(`  running again ${ms(rerunMs)} after the kill; bound ${ms(lockMs + goals.killSlackMs)}`);
  const met = {
    speedup: part1.speedup >= goals.speedup4,
    dispatch: part2.p95 <= goals.dispatchP95Ms,
    noop: part3.remote >= goals.noopPerSecond,
    kill: rerunMs <= lockMs + goals.killSlackMs,
  };
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  say(
    `summary: 4 vs 1 worker ${part1.speedup.toFixed(2)}× (plan allows ${part1.ideal.toFixed(2)}×; goal ≥ ${goals.speedup4}, ${mark(met.speedup)}); dispatch p95 ${ms(part2.p95)}, chain ${ms(part2.chainP95)} (goal ≤ ${goals.dispatchP95Ms}, ${mark(met.dispatch)}); no-op ${part3.remote.toFixed(1)}/s vs local ${part3.local.toFixed(1)}/s, process starts allow ${part3.spawnBound.toFixed(0)}/s (goal ≥ ${goals.noopPerSecond}, ${mark(met.noop)}); kill → re-run ${ms(rerunMs)} (goal ≤ ${ms(lockMs + goals.killSlackMs)}, ${mark(met.kill)}); ${steps} steps, ${noop} no-op, load ${load()}`,
  );
  process.exitCode = Object.values(met).every(Boolean) ? 0 : 1;
}

async function cleanUp(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  for (const under of [prefix, `${prefix}-floor`]) await deleteKeysUnder(redis, under);
  redis.disconnect();
  rmSync(setting.scratch, { recursive: true, force: true });
}

try {
  await main();
} finally {
  await cleanUp();
}
