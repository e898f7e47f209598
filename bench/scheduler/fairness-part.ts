/**
 * Part 4: fairness across runs. Many plans submitted at once to one engine share a global cap of slots;
 * the measure is how long after its submission the last plan's first step starts (and every plan's,
 * as a median and maximum), with the slot pool's round-robin against first-in, first-out in the same run,
 * on the simulation clock. Both are work-conserving, so the time to finish everything stays the same.
 */
import { performance } from 'node:perf_hooks';
import type { Agent, AgentResult, AgentTask } from '../../src/agents/agent.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { type SlotFairness, SlotPool } from '../../src/limits/slot-pool.js';
import { defaultBackoff, type PlanDefinition } from '../../src/protocol/plan-types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createBenchEngine } from './engine-fixture.js';
import { mulberry32 } from './prng.js';
import { SimulationClock } from './simulation-clock.js';
import { quantile } from './stats.js';

export interface FairnessOptions {
  plans: number;
  /** The global cap, which is also each plan's own concurrency. */
  concurrency: number;
  stepsPerPlan: number;
  stepMs: number;
}

export const defaultFairnessOptions: FairnessOptions = {
  plans: 100,
  concurrency: 8,
  stepsPerPlan: 4,
  stepMs: 300,
};

export interface FairnessMeasure {
  fairness: SlotFairness;
  /** First step start − submission, for the plan submitted last. */
  lastPlanFirstStartMs: number;
  medianFirstStartMs: number;
  maxFirstStartMs: number;
  /** When every plan had finished, from the submission. */
  allDoneMs: number;
}

export interface FairnessResults {
  options: FairnessOptions;
  fifo: FairnessMeasure;
  roundRobin: FairnessMeasure;
  realMs: number;
}

export async function runFairnessPart(options: FairnessOptions): Promise<FairnessResults> {
  const started = performance.now();
  const fifo = await measure(options, 'fifo');
  const roundRobin = await measure(options, 'round-robin');
  return { options, fifo, roundRobin, realMs: performance.now() - started };
}

async function measure(options: FairnessOptions, fairness: SlotFairness): Promise<FairnessMeasure> {
  const clock = new SimulationClock();
  const store = new SqliteStore({ path: ':memory:', clock });
  const firstStart = new Map<string, number>();
  const agent: Agent = {
    name: 'timer',
    async run(task: AgentTask): Promise<AgentResult> {
      if (!firstStart.has(task.runId)) firstStart.set(task.runId, clock.now());
      await clock.sleep(options.stepMs, task.signal);
      return { ok: true, output: '' };
    },
  };
  try {
    const engine = createBenchEngine({
      store,
      clock,
      agents: new AgentRegistry().register(agent.name, agent),
      random: mulberry32(1),
      slots: new SlotPool({ global: options.concurrency, fairness }),
    });
    const submittedAt = clock.now();
    const runIds: string[] = [];
    const done: Array<Promise<unknown>> = [];
    for (let index = 0; index < options.plans; index++) {
      const created = engine.createRun({
        plan: planOf(index, options),
        workspace: '/nonexistent',
        planFile: null,
        concurrency: options.concurrency,
      });
      runIds.push(created.runId);
      done.push(engine.startRun(created.runId).done);
    }
    await clock.drive(Promise.all(done));
    const delays = runIds.map((runId) => (firstStart.get(runId) ?? Number.NaN) - submittedAt);
    return {
      fairness,
      lastPlanFirstStartMs: delays.at(-1) ?? Number.NaN,
      medianFirstStartMs: quantile(delays, 0.5),
      maxFirstStartMs: Math.max(...delays),
      allDoneMs: clock.now() - submittedAt,
    };
  } finally {
    store.close();
  }
}

function planOf(index: number, options: FairnessOptions): PlanDefinition {
  const steps = Array.from({ length: options.stepsPerPlan }, (_, step) => ({
    id: `p${index}-s${step}`,
    label: `p${index}-s${step}`,
    agent: 'timer',
    needs: [],
    retries: 0,
    backoff: defaultBackoff,
    estimateMs: options.stepMs,
  }));
  return { name: `fair-${index}`, format: 'native', steps };
}
