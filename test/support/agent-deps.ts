// The deps an agent built directly in a test gets: only the environment any machine has (the user's own
// keys and CLI settings must not reach a CLI under test) plus what the test adds, a registry in memory;
// and the pool its spec gets.
import type { AgentDeps } from '../../src/agents/agent-deps.js';
import type { PoolSettings } from '../../src/agents/agent-spec.js';
import { MemoryProcessRegistry } from '../../src/agents/process/process-registry.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';

export function testAgentDeps(workspace: string, environment: Record<string, string> = {}): AgentDeps {
  return {
    clock: systemClock,
    logger: silentLogger,
    environment: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...environment,
    },
    maxLogBytes: 4 * 1024 * 1024,
    killGraceMs: 1_000,
    processes: new MemoryProcessRegistry(),
    workspace,
  };
}

/** The pool of a test agent unless its test says otherwise: two processes at most, none started ahead. */
export function testPool(overrides: Partial<PoolSettings> = {}): PoolSettings {
  return {
    size: 2,
    prewarm: 0,
    maxUses: 25,
    maxAgeMs: 600_000,
    maxMemoryBytes: 4 * 1024 ** 3,
    idleTimeoutMs: 600_000,
    ...overrides,
  };
}
