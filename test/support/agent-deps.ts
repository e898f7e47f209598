// The deps an agent built directly in a test gets: only the environment any machine has (the user's own
// keys and CLI settings must not reach a CLI under test) plus what the test adds, a registry in memory.
import type { AgentDeps } from '../../src/agents/agent-deps.js';
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
