/**
 * One streamed chat completion without tools: messages in, text and usage out, failures classified like
 * an agent step's. For the planner and the reviewers, which need a model's answer, not a workspace.
 */

import type { ModelEndpointSpec } from '../adapter-descriptor.js';
import type { AgentUsage, StepFailure } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { ChatClient, type ChatRequest, chatEndpointOf } from './chat-client.js';
import { agentUsageOf } from './chat-usage.js';

export type CompleteChatRequest = Omit<ChatRequest, 'tools'> & {
  /** See ChatClientOptions.idleTimeoutMs. @default 300000 */
  idleTimeoutMs?: number;
};

export type CompleteChatResult =
  | { ok: true; text: string; usage?: AgentUsage; finishReason?: string; model?: string }
  | { ok: false; failure: StepFailure };

/**
 * Asks the model of an `openai` agent spec once. The key comes from `deps.environment[spec.apiKeyEnv]`.
 * Failures: AUTH_FAILED, RATE_LIMITED (with resetAt when the provider says), USAGE_LIMIT, MODEL_ERROR,
 * PROTOCOL_ERROR, TIMEOUT, AGENT_UNAVAILABLE, ABORTED — the same table as agent steps.
 */
export async function completeChat(
  spec: ModelEndpointSpec,
  deps: Pick<AgentDeps, 'clock' | 'environment'>,
  request: CompleteChatRequest,
): Promise<CompleteChatResult> {
  const { idleTimeoutMs, ...chat } = request;
  const client = new ChatClient(chatEndpointOf(spec, deps.environment), {
    clock: deps.clock,
    ...(idleTimeoutMs !== undefined && { idleTimeoutMs }),
  });
  const outcome = await client.complete(chat);
  if (!outcome.ok) return outcome;
  const { completion } = outcome;
  const usage = agentUsageOf(completion.usage);
  return {
    ok: true,
    text: completion.text,
    ...(usage && { usage }),
    ...(completion.finishReason !== undefined && { finishReason: completion.finishReason }),
    ...(completion.model !== undefined && { model: completion.model }),
  };
}
