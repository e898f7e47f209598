/** Builds the agent registry from resolved agent specs: one adapter per agent, or the reason it cannot run. */

import { basename } from 'node:path';
import { createAcpAgent } from './acp/acp-agent.js';
import type { Agent } from './agent.js';
import type { AgentDeps } from './agent-deps.js';
import type { AgentSpec } from './agent-spec.js';
import { ClaudeAgent } from './claude/claude-agent.js';
import { createCodexAgent } from './codex/codex-agent.js';
import { createGeminiAgent } from './gemini/gemini-agent.js';
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
        registry.register(spec.name, createCodexAgent(spec, deps), limits);
        break;
      case 'gemini':
        registry.register(spec.name, createGeminiAgent(spec, deps), limits);
        break;
      case 'acp':
        registry.register(spec.name, createAcpOrGemini(spec, deps), limits);
        break;
    }
  }
  for (const spec of specs) if (spec.fallback) registry.setFallback(spec.name, spec.fallback);
  return registry;
}

/**
 * Gemini CLI in ACP mode goes through the gemini adapter, which knows its retry notices, error shapes and
 * credentials; any other ACP agent through the generic one.
 */
function createAcpOrGemini(spec: AgentSpec, deps: AgentDeps): Agent {
  if (basename(spec.command) === 'gemini') {
    return createGeminiAgent(
      { ...spec, mode: 'acp', args: spec.args.filter((arg) => arg !== '--acp') },
      deps,
    );
  }
  return createAcpAgent(spec, deps);
}
