/** Builds the agent registry from resolved agent specs: one adapter per agent, or the reason it cannot run. */

import { descriptorOf } from './adapters.js';
import type { AgentDeps } from './agent-deps.js';
import type { AgentSpec } from './agent-spec.js';
import { AgentRegistry, unusableAgentMessage } from './registry.js';
import { UsabilityCache, type UsabilityCheck } from './usability-cache.js';

/**
 * `usability` is doctor's check of a spec (config's `agentUsability`), asked again before each attempt of
 * an agent with a CLI; without it an agent usable at the start is taken to stay so.
 */
export function buildAgentRegistry(
  specs: Iterable<AgentSpec>,
  deps: AgentDeps,
  usability?: (spec: AgentSpec) => ReturnType<UsabilityCheck>,
): AgentRegistry {
  const registry = new AgentRegistry();
  for (const spec of specs) {
    if (spec.unavailable) {
      registry.markUnavailable(spec.name, unusableAgentMessage(spec.name, spec.unavailable));
      continue;
    }
    // Only an agent that starts a CLI can stop being usable; shell steps pay nothing.
    const check = usability && descriptorOf(spec).cli ? () => usability(spec) : undefined;
    registry.register(spec.name, descriptorOf(spec).create(spec, deps), {
      ...(spec.timeoutMs !== undefined && { timeoutMs: spec.timeoutMs }),
      ...(spec.model !== undefined && { model: spec.model }),
      ...(check && { usability: new UsabilityCache(check, deps.clock) }),
    });
  }
  for (const spec of specs) if (spec.fallback) registry.setFallback(spec.name, spec.fallback);
  return registry;
}
