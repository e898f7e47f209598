/** Builds the agent registry from resolved agent specs: one adapter per agent, or the reason it cannot run. */
import type { AgentDeps } from './agent-deps.js';
import type { AgentSpec } from './agent-spec.js';
import { ClaudeAgent } from './claude/claude-agent.js';
import { createOpenAiAgent } from './openai/openai-agent.js';
import { baseEnvironmentPolicy, mergePolicies } from './process/child-environment.js';
import { AgentRegistry } from './registry.js';
import { createShellAgent } from './shell/shell-agent.js';

export function buildAgentRegistry(specs: Iterable<AgentSpec>, deps: AgentDeps): AgentRegistry {
  const registry = new AgentRegistry();
  for (const spec of specs) {
    if (spec.unavailable) {
      registry.markUnavailable(
        spec.name,
        `agent "${spec.name}" cannot run: ${spec.unavailable.reason}; ${spec.unavailable.fix}`,
      );
      continue;
    }
    const limits = spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs };
    switch (spec.adapter) {
      case 'shell':
        registry.register(
          spec.name,
          createShellAgent({
            clock: deps.clock,
            environment: mergePolicies(baseEnvironmentPolicy, { names: spec.passEnv, prefixes: [] }),
            sourceEnvironment: deps.environment,
            maxLogBytes: deps.maxLogBytes,
            killGraceMs: deps.killGraceMs,
            drainMs: 2_000,
            extraEnvironment: spec.env,
          }),
          limits,
        );
        break;
      case 'claude':
        registry.register(spec.name, new ClaudeAgent(spec, deps), limits);
        break;
      case 'openai':
        registry.register(
          spec.name,
          createOpenAiAgent(spec, deps, {
            ...(spec.maxToolRounds !== undefined && { maxToolRounds: spec.maxToolRounds }),
          }),
          limits,
        );
        break;
      case 'codex':
      case 'gemini':
      case 'acp':
        registry.markUnavailable(
          spec.name,
          `agent "${spec.name}" cannot run: the ${spec.adapter} adapter is not built yet`,
        );
        break;
    }
  }
  return registry;
}
