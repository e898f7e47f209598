/** Token counts from the wire to the engine's shape, and summed over the requests of one step. */
import type { AgentUsage } from '../agent.js';
import type { ChatUsage } from './chat-types.js';

export function agentUsageOf(usage: ChatUsage | undefined): AgentUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.promptTokens,
    outputTokens: usage.completionTokens,
    ...(usage.cachedPromptTokens !== undefined && { cachedInputTokens: usage.cachedPromptTokens }),
  };
}

export function addUsage(
  total: AgentUsage | undefined,
  more: AgentUsage | undefined,
): AgentUsage | undefined {
  if (!more) return total;
  if (!total) return more;
  const cached = (total.cachedInputTokens ?? 0) + (more.cachedInputTokens ?? 0);
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    ...(cached > 0 && { cachedInputTokens: cached }),
  };
}
