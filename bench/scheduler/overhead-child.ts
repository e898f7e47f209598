/**
 * Part 2 child: one no-op DAG of `--steps` steps through the durable engine (SqliteStore on a temp file,
 * real clock) or through p-graph (no persistence, the floor), in a process of its own so its peak RSS
 * is its own. Prints one measurement line; the parent does the judging.
 *
 * Usage: node --import tsx bench/scheduler/overhead-child.ts --runner engine --steps 10000 --concurrency 64 --seed 1
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pGraph from 'p-graph';
import type { Agent } from '../../src/agents/agent.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { benchPlan, createBenchEngine, runToCompletion } from './engine-fixture.js';
import {
  type DurableCheck,
  measurementPrefix,
  type OverheadMeasurement,
  type OverheadRunner,
} from './overhead-measurement.js';
import { mulberry32 } from './prng.js';
import { agentLikeShape, type BenchDag, randomDag } from './random-dag.js';

const { PGraph } = pGraph;

const noopAgent: Agent = { name: 'noop', run: async () => ({ ok: true, output: '' }) };

function megabytes(kilobytes: number): number {
  return kilobytes / 1024;
}

/** Live heap in MB; needs --expose-gc (the parent passes it), which only exposes gc() and changes no tuning. */
function heapAfterFullGc(): number | undefined {
  // Through globalThis: a bare `gc` is a ReferenceError when the flag is absent.
  const collect = globalThis.gc;
  if (!collect) return undefined;
  collect();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function measureEngine(dag: BenchDag, concurrency: number, seed: number): Promise<OverheadMeasurement> {
  const directory = mkdtempSync(join(tmpdir(), 'ai-collab-bench-'));
  const path = join(directory, 'state.db');
  try {
    const store = new SqliteStore({ path, clock: systemClock });
    const pragmas = store.pragmas();
    const agents = new AgentRegistry().register('noop', noopAgent);
    const engine = createBenchEngine({ store, clock: systemClock, agents, random: mulberry32(seed) });
    // No estimates: like a real plan, priorities come from the (empty) duration history.
    const plan = benchPlan(dag, 'noop');
    const rssBeforeRunMb = megabytes(process.resourceUsage().maxRSS);
    const started = performance.now();
    const state = await runToCompletion(engine, plan, concurrency);
    const wallMs = performance.now() - started;
    const peakRssMb = megabytes(process.resourceUsage().maxRSS);
    const heapAfterGcMb = heapAfterFullGc();
    store.close();
    const durable: DurableCheck = {
      ...readBack(path, state.runId),
      runStatus: state.status,
      stepsSucceeded: state.counts.succeeded,
      journalMode: String(pragmas.journal_mode),
      synchronous: Number(pragmas.synchronous),
    };
    return {
      runner: 'engine',
      steps: dag.steps.length,
      concurrency,
      wallMs,
      peakRssMb,
      rssBeforeRunMb,
      heapAfterGcMb,
      durable,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Reads the log back through a fresh connection, so only committed rows count. */
function readBack(
  path: string,
  runId: string,
): Pick<DurableCheck, 'storedRunStatus' | 'eventRows' | 'eventRowsByType'> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT type, count(*) AS count FROM events WHERE run_id = ? GROUP BY type')
      .all(runId) as Array<{ type: string; count: number }>;
    const run = db.prepare('SELECT status FROM runs WHERE run_id = ?').get(runId) as
      | { status: string }
      | undefined;
    const eventRowsByType = Object.fromEntries(rows.map((row) => [row.type, row.count]));
    const eventRows = rows.reduce((sum, row) => sum + row.count, 0);
    return { storedRunStatus: run?.status ?? 'missing', eventRows, eventRowsByType };
  } finally {
    db.close();
  }
}

async function measurePGraph(dag: BenchDag, concurrency: number): Promise<OverheadMeasurement> {
  const nodes = new Map(dag.steps.map((step) => [step.id, { run: async () => {} }]));
  const edges = dag.steps.flatMap((step) => step.needs.map((need): [string, string] => [need, step.id]));
  const rssBeforeRunMb = megabytes(process.resourceUsage().maxRSS);
  const started = performance.now();
  await new PGraph(nodes, edges).run({ concurrency });
  const wallMs = performance.now() - started;
  const peakRssMb = megabytes(process.resourceUsage().maxRSS);
  const heapAfterGcMb = heapAfterFullGc();
  return {
    runner: 'p-graph',
    steps: dag.steps.length,
    concurrency,
    wallMs,
    peakRssMb,
    rssBeforeRunMb,
    heapAfterGcMb,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runner: { type: 'string', default: 'engine' },
      steps: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '64' },
      seed: { type: 'string', default: '1' },
    },
  });
  const runner = values.runner as OverheadRunner;
  const steps = Number(values.steps);
  const concurrency = Number(values.concurrency);
  const seed = Number(values.seed);
  const dag = randomDag(mulberry32(seed), agentLikeShape, steps);
  const measurement =
    runner === 'p-graph'
      ? await measurePGraph(dag, concurrency)
      : await measureEngine(dag, concurrency, seed);
  process.stdout.write(`${measurementPrefix}${JSON.stringify(measurement)}\n`);
}

await main();
