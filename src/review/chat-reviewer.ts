/**
 * A reviewer backed by an OpenAI-compatible model: the seed's three calls in one conversation, generate
 * (T 0.8) → self-correct (T 0.1) → vote (T 0), each through the provider's shared limiter.
 */

import type { ModelEndpointSpec } from '../agents/adapter-descriptor.js';
import type { AgentDeps } from '../agents/agent-deps.js';
import type { ChatMessage } from '../agents/openai/chat-types.js';
import type { CompleteChatResult } from '../agents/openai/complete-chat.js';
import type { ProviderLimiter } from '../limits/provider-limiter.js';
import { callLimited } from './limited-call.js';
import {
  correctPrompt,
  generatePrompt,
  protocolTemperatures,
  reviewerSystemPrompt,
  votePrompt,
} from './review-prompts.js';
import type { ReviewSettings } from './review-settings.js';
import type { Reviewer, ReviewerAnswer, ReviewQuestion } from './reviewer.js';

export interface ChatReviewerDeps extends Pick<AgentDeps, 'clock' | 'environment'> {
  limiter: ProviderLimiter;
  random: () => number;
  /** Longest silence from the endpoint. @default 300000 */
  idleTimeoutMs?: number;
}

type Settings = Pick<ReviewSettings, 'rateLimitRetries' | 'errorRetries' | 'maxTokens'>;

/** Output tokens of the vote: a JSON object; a longer answer is a red flag, cut and discarded. */
const voteMaxTokens = 600;

export function createChatReviewer(
  spec: ModelEndpointSpec,
  deps: ChatReviewerDeps,
  settings: Settings,
): Reviewer {
  const steps = [
    { temperature: protocolTemperatures.generate, follow: correctPrompt, maxTokens: settings.maxTokens },
    { temperature: protocolTemperatures.correct, follow: votePrompt, maxTokens: settings.maxTokens },
    { temperature: protocolTemperatures.vote, follow: undefined, maxTokens: voteMaxTokens },
  ];

  async function ask(question: ReviewQuestion): Promise<ReviewerAnswer> {
    const messages: ChatMessage[] = [
      { role: 'system', content: reviewerSystemPrompt },
      { role: 'user', content: generatePrompt(question.evidence) },
    ];
    const answer: ReviewerAnswer = { result: { ok: true, text: '' }, calls: 0, requests: 0, rateLimited: 0 };
    // The chat client is loaded by the first review, not by every run that could have one.
    const { completeChat } = await import('../agents/openai/complete-chat.js');
    for (const step of steps) {
      const outcome = await callLimited<CompleteChatResult>(
        () =>
          completeChat(spec, deps, {
            messages: [...messages],
            signal: question.signal,
            temperature: step.temperature,
            maxTokens: step.maxTokens,
            ...(deps.idleTimeoutMs !== undefined && { idleTimeoutMs: deps.idleTimeoutMs }),
          }),
        {
          limiter: deps.limiter,
          clock: deps.clock,
          random: deps.random,
          rateLimitRetries: settings.rateLimitRetries,
          errorRetries: settings.errorRetries,
          estimatedTokens: estimateTokens(messages) + step.maxTokens,
          signal: question.signal,
        },
      );
      if (outcome.requests > 0) answer.calls++;
      answer.requests += outcome.requests;
      answer.rateLimited += outcome.rateLimited;
      if (!outcome.result.ok) return { ...answer, result: outcome.result };
      const { text } = outcome.result;
      if (step.follow === undefined) return { ...answer, result: { ok: true, text } };
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: step.follow });
    }
    return answer;
  }

  return {
    name: spec.name,
    kind: 'chat',
    identity: `openai ${spec.baseUrl ?? ''} ${spec.model ?? ''}`,
    ask,
  };
}

/** About four characters a token: enough for a budget, which the real usage then corrects. */
function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) chars += typeof message.content === 'string' ? message.content.length : 0;
  return Math.ceil(chars / 4);
}
