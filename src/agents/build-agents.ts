/** Builds the agent registry from resolved agent specs: one adapter per agent, or the reason it cannot run. */

import { descriptorOf } from './adapters.js';
import type { AgentDeps } from './agent-deps.js';
import type { AgentSpec } from './agent-spec.js';
import { AgentRegistry } from './registry.js';

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
    const limits = {
      ...(spec.timeoutMs !== undefined && { timeoutMs: spec.timeoutMs }),
      ...(spec.model !== undefined && { model: spec.model }),
    };
    registry.register(spec.name, descriptorOf(spec).create(spec, deps), limits);
  }
  for (const spec of specs) if (spec.fallback) registry.setFallback(spec.name, spec.fallback);
  return registry;
}
