/**
 * This repository's engine as a scheduler: a fresh Engine over an in-memory SqliteStore per run, with
 * the step estimates the caller chooses (exact or noisy) feeding its critical-path priorities.
 */
import { AgentRegistry } from '../../../src/agents/registry.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { benchPlan, createBenchEngine, runToCompletion } from '../engine-fixture.js';
import { mulberry32 } from '../prng.js';
import type { BenchStep } from '../random-dag.js';
import { createTimerAgent, timerAgentName } from '../timer-agent.js';
import type { SimulatedScheduler, SimulationTask } from './simulated-scheduler.js';

export function engineScheduler(name: string, estimate: (step: BenchStep) => number): SimulatedScheduler {
  return {
    name,
    workConserving: true,
    async run({ dag, concurrency, clock, runStep }: SimulationTask): Promise<void> {
      const store = new SqliteStore({ path: ':memory:', clock });
      try {
        const agents = new AgentRegistry().register(timerAgentName, createTimerAgent(dag, runStep));
        // The engine draws randomness only for retry jitter; steps here never retry.
        const engine = createBenchEngine({ store, clock, agents, random: mulberry32(1) });
        await runToCompletion(engine, benchPlan(dag, timerAgentName, estimate), concurrency);
      } finally {
        store.close();
      }
    },
  };
}
