/**
 * The real engine, store and server for the stream benchmark: SQLite on disk (WAL, group commit), the
 * server on loopback, and an agent whose steps take a set time, say a little, and sometimes fail once.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Agent, AgentResult, AgentTask } from '../../src/agents/agent.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { Engine } from '../../src/engine/engine.js';
import type { StepHooks, StepStage } from '../../src/engine/step-hooks.js';
import { SlotPool } from '../../src/limits/slot-pool.js';
import { agentCatalogOf } from '../../src/plan/agent-catalog.js';
import { defaultBackoff, type PlanDefinition } from '../../src/protocol/plan-types.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import type { ServerLimits } from '../../src/server/server-options.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';

export interface StepScript {
  durationMs: number;
  /** Fails the first attempt (the step is retried). */
  failFirst?: boolean;
  /** Characters of final output (goes into `step.succeeded`). */
  outputChars?: number;
}

class BenchAgent implements Agent {
  readonly name = 'bench';
  readonly #script: (stepId: string) => StepScript;

  constructor(script: (stepId: string) => StepScript) {
    this.#script = script;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const script = this.#script(task.stepId);
    await new Promise((resolve) => setTimeout(resolve, script.durationMs));
    if (script.failFirst && task.attempt === 1) {
      return {
        ok: false,
        failure: { code: 'RATE_LIMITED', kind: 'transient', message: 'HTTP 429 from the provider' },
      };
    }
    const output = `${task.stepId}: done. `.padEnd(script.outputChars ?? 24, 'x');
    return { ok: true, output, usage: { inputTokens: 1_200, outputTokens: 340 } };
  }
}

/** Every tenth step gets three reviewer votes, as the review swarm records them. */
const review: StepStage = {
  name: 'review',
  appliesTo: (step) => Number(step.id.replace(/\D/g, '')) % 10 === 0,
  run: async (context) => {
    for (const reviewer of ['claude', 'codex', 'gemini']) {
      context.recordVote({
        reviewer,
        vote: 'approve',
        confidence: 0.8,
        reason: 'matches the step; tests cover it',
      });
    }
    return { kind: 'passed' };
  },
};

export interface StreamFixture {
  engine: Engine;
  store: SqliteStore;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startFixture(
  stateDir: string,
  script: (stepId: string) => StepScript,
  limits: ServerLimits = {},
): Promise<StreamFixture> {
  const store = new SqliteStore({ path: join(stateDir, 'state.db'), clock: systemClock });
  const agents = new AgentRegistry().register('bench', new BenchAgent(script));
  const hooks: StepHooks = { stages: [review] };
  const engine = new Engine({
    store,
    clock: systemClock,
    logger: silentLogger,
    random: Math.random,
    agents,
    slots: new SlotPool(),
    owner: { pid: process.pid, startTime: '0', bootId: 'bench', host: hostname() },
    stateDir,
    killGraceMs: 0,
    hooks,
  });
  const server = await startServer({
    engine,
    store,
    stateDir,
    clock: systemClock,
    logger: silentLogger,
    agentCatalog: agentCatalogOf(['bench']),
    environment: {},
    writeServerFile: false,
    limits,
  });
  return {
    engine,
    store,
    server,
    close: async () => {
      await server.close();
      store.close();
    },
  };
}

/** A layered DAG: `width` steps per layer, each needing one or two steps of the layer before. */
export function layeredPlan(steps: number, width: number, name: string): PlanDefinition {
  return {
    name,
    format: 'native',
    steps: Array.from({ length: steps }, (_, index) => {
      const layer = Math.floor(index / width);
      const before = (offset: number) => `s${(layer - 1) * width + ((index * 7 + offset) % width)}`;
      const needs = layer === 0 ? [] : index % 3 === 0 ? [before(0), before(3)] : [before(1)];
      return {
        id: `s${index}`,
        label: `s${index}`,
        agent: 'bench',
        action: 'edit' as const,
        target: `src/module-${index % 50}/file-${index}.ts`,
        prompt: `Implement part ${index} of the feature in src/module-${index % 50}/file-${index}.ts and add a test for it.`,
        needs: [...new Set(needs)],
        retries: 2,
        backoff: { ...defaultBackoff, initialMs: 5, maxMs: 20 },
      };
    }),
  };
}

/** A chain: one step after another (for a steady event rate). */
export function chainPlan(steps: number, name: string): PlanDefinition {
  return {
    name,
    format: 'native',
    steps: Array.from({ length: steps }, (_, index) => ({
      id: `c${index}`,
      label: `c${index}`,
      agent: 'bench',
      needs: index === 0 ? [] : [`c${index - 1}`],
      retries: 0,
      backoff: defaultBackoff,
    })),
  };
}
