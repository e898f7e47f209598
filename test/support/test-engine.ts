import type { Agent } from '../../src/agents/agent.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { Engine, type EngineDeps } from '../../src/engine/engine.js';
import type { RunEvent } from '../../src/engine/events.js';
import type { StepHooks } from '../../src/engine/step-hooks.js';
import { SlotPool, type SlotPoolOptions } from '../../src/limits/slot-pool.js';
import type { PlanDefinition, StepDefinition } from '../../src/protocol/plan-types.js';
import type { OwnerIdentity } from '../../src/store/event-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type Logger, silentLogger } from '../../src/support/logger.js';
import { FakeClock } from './fake-clock.js';

let ownerCounter = 0;

/** An owner identity that is certainly not a live process, so another test engine may take the run over. */
export function deadOwner(): OwnerIdentity {
  ownerCounter++;
  return { pid: 4_000_000 + ownerCounter, startTime: '1', bootId: 'test-boot', host: 'test' };
}

export interface TestEngineOptions {
  clock?: FakeClock;
  store?: SqliteStore;
  agents: Agent[];
  slots?: SlotPoolOptions;
  random?: () => number;
  stateDir?: string;
  hooks?: StepHooks;
  /** @default an identity of no live process */
  owner?: OwnerIdentity;
  preflight?: (plan: PlanDefinition, steps: readonly StepDefinition[]) => void;
  observers?: EngineDeps['observers'];
  /** @default silent */
  logger?: Logger;
}

export function createTestEngine(options: TestEngineOptions) {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new SqliteStore({ path: ':memory:', clock });
  const registry = new AgentRegistry();
  for (const agent of options.agents) registry.register(agent.name, agent);
  const engine = new Engine({
    store,
    clock,
    logger: options.logger ?? silentLogger,
    random: options.random ?? (() => 0.5),
    agents: registry,
    slots: new SlotPool(options.slots ?? {}),
    owner: options.owner ?? deadOwner(),
    stateDir: options.stateDir ?? '/nonexistent/ai-collab-test-state',
    killGraceMs: 100,
    ...(options.hooks && { hooks: options.hooks }),
    ...(options.preflight && { preflight: options.preflight }),
    ...(options.observers && { observers: options.observers }),
  });
  return { engine, clock, store, registry };
}

/** A plan from compact step specs; steps default to the `timer` agent. */
export function planOf(
  steps: Array<Partial<StepDefinition> & { id: string }>,
  options: { concurrency?: number; name?: string } = {},
): PlanDefinition {
  return {
    name: options.name ?? 'test-plan',
    format: 'native',
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    steps: steps.map((step) => ({
      label: step.id,
      agent: 'timer',
      needs: [],
      retries: 0,
      backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
      prompt: `do ${step.id}`,
      ...step,
    })),
  };
}

/** What a run's log starts with: `plan` created in `/w` (an empty plan when none is given). */
export function runCreatedBody(
  plan: PlanDefinition = { name: 'p', format: 'native', steps: [] },
  concurrency = 1,
): Pick<Extract<RunEvent, { type: 'run.created' }>, 'type' | 'data'> {
  return {
    type: 'run.created',
    data: { plan, workspace: '/w', planFile: null, concurrency, failFast: false },
  };
}
