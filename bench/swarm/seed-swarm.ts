/**
 * The seed's swarm, as ORCHESTRATION_ANALYSIS.md §6 describes it: for each step, `swarmSize` reviewers at
 * once (`Promise.all`), each making its 3 calls (generate 0.8 → correct 0.1 → vote 0) with no limiter, no
 * retries and no cache, and a failed reviewer counted as an approval (it fails open). Steps are reviewed
 * one after another, as the seed's loop runs them.
 */
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import type { ChatMessage } from '../../src/agents/openai/chat-types.js';
import { completeChat } from '../../src/agents/openai/complete-chat.js';
import { parseVote } from '../../src/review/parse-vote.js';
import {
  correctPrompt,
  generatePrompt,
  protocolTemperatures,
  reviewerSystemPrompt,
  votePrompt,
} from '../../src/review/review-prompts.js';
import type { Clock } from '../../src/support/clock.js';

export interface SeedReview {
  approved: boolean;
  /** Reviewers whose calls failed and so counted as approvals. */
  failedOpen: number;
  calls: number;
}

export async function seedReview(
  specs: readonly AgentSpec[],
  swarmSize: number,
  evidence: string,
  deps: { clock: Clock; environment: Record<string, string> },
): Promise<SeedReview> {
  const signal = new AbortController().signal;
  let calls = 0;
  const reviewer = async (
    index: number,
  ): Promise<{ approve: boolean; confidence: number; failed: boolean }> => {
    const spec = specs[index % specs.length] as AgentSpec;
    const messages: ChatMessage[] = [
      { role: 'system', content: reviewerSystemPrompt },
      { role: 'user', content: generatePrompt(evidence) },
    ];
    const steps = [
      { temperature: protocolTemperatures.generate, next: correctPrompt },
      { temperature: protocolTemperatures.correct, next: votePrompt },
      { temperature: protocolTemperatures.vote, next: undefined },
    ];
    for (const step of steps) {
      calls++;
      const result = await completeChat(spec, deps, {
        messages: [...messages],
        signal,
        temperature: step.temperature,
      });
      if (!result.ok) return { approve: true, confidence: 1, failed: true };
      if (step.next === undefined) {
        const parsed = parseVote(result.text);
        if (!parsed.ok) return { approve: true, confidence: 1, failed: true };
        return { approve: parsed.vote.vote === 'approve', confidence: parsed.vote.confidence, failed: false };
      }
      messages.push({ role: 'assistant', content: result.text }, { role: 'user', content: step.next });
    }
    return { approve: true, confidence: 1, failed: true };
  };
  const votes = await Promise.all(Array.from({ length: swarmSize }, (_, index) => reviewer(index)));
  let approve = 0;
  let total = 0;
  for (const vote of votes) {
    total += vote.confidence;
    if (vote.approve) approve += vote.confidence;
  }
  return {
    approved: total > 0 && approve / total >= 0.6,
    failedOpen: votes.filter((vote) => vote.failed).length,
    calls,
  };
}
