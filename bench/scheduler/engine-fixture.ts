/**
 * Wires the real engine the way the CLI does (src/cli/runtime.ts), minus the CLI: a store, a clock,
 * an agent registry and a slot pool. Shared by the simulated runs (Part 1) and the overhead runs (Part 2)
 * so both measure the same engine.
 */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRegistry } from '../../src/agents/registry.js';
import { Engine } from '../../src/engine/engine.js';
import type { RunState } from '../../src/engine/run-state.js';
import { SlotPool } from '../../src/limits/slot-pool.js';
import { defaultBackoff, type PlanDefinition, type StepDefinition } from '../../src/protocol/plan-types.js';
import type { EventStore, OwnerIdentity } from '../../src/store/event-store.js';
import type { Clock } from '../../src/support/clock.js';
import type { Logger } from '../../src/support/logger.js';
import type { Random } from './prng.js';
import type { BenchDag, BenchStep } from './random-dag.js';

export interface BenchEngineOptions {
  store: EventStore;
  clock: Clock;
  agents: AgentRegistry;
  random: Random;
  /** Slots shared by the engine's runs; no global cap when absent. */
  slots?: SlotPool;
}

/** Owner recorded on runs; the bench never resumes, so a fixed identity is enough. */
const benchOwner: OwnerIdentity = { pid: process.pid, startTime: '0', bootId: 'bench', host: hostname() };

export function createBenchEngine(options: BenchEngineOptions): Engine {
  return new Engine({
    ...options,
    logger: failLoudLogger,
    // No global cap by default: the run's own concurrency is the limit under test.
    slots: options.slots ?? new SlotPool(),
    owner: benchOwner,
    // Only used to name log files; the bench agents never write any.
    stateDir: join(tmpdir(), 'ai-collab-bench-state'),
    killGraceMs: 0,
  });
}

/** A plan over `agent`, with `estimateMs` set from `estimate` when given (else the engine's history). */
export function benchPlan(
  dag: BenchDag,
  agent: string,
  estimate?: (step: BenchStep) => number,
): PlanDefinition {
  const steps = dag.steps.map(
    (step): StepDefinition => ({
      id: step.id,
      label: step.id,
      agent,
      needs: step.needs,
      retries: 0,
      backoff: defaultBackoff,
      ...(estimate && { estimateMs: estimate(step) }),
    }),
  );
  return { name: `bench-${dag.steps.length}`, format: 'native', steps };
}

/** Creates, starts and awaits one run; throws unless it ended `succeeded` with every step succeeded. */
export async function runToCompletion(
  engine: Engine,
  plan: PlanDefinition,
  concurrency: number,
): Promise<RunState> {
  const created = engine.createRun({ plan, workspace: tmpdir(), planFile: null, concurrency });
  const state = await engine.startRun(created.runId).done;
  if (state.status !== 'succeeded' || state.counts.succeeded !== plan.steps.length) {
    throw new Error(
      `run ${state.runId} ended ${state.status} with ${state.counts.succeeded}/${plan.steps.length} steps succeeded`,
    );
  }
  return state;
}

/** The engine logs only trouble (a store failure, an agent that threw); in a benchmark that is fatal. */
const failLoudLogger: Logger = {
  debug() {},
  info() {},
  warn(message, meta) {
    console.error(`engine warning: ${message}`, meta ?? '');
  },
  error(message, meta) {
    console.error(`engine error: ${message}`, meta ?? '');
  },
};
