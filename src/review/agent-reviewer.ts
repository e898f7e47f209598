/**
 * A reviewer backed by an agent CLI (claude, codex, gemini, an ACP agent): one read-only `analyze` task in
 * the step's directory whose answer ends in the vote. CLIs take no temperature, so the seed's three calls
 * become one prompt. Calls go through a limiter per agent, which parks them on the CLI's rate limits.
 */
import { join } from 'node:path';
import type { Agent, AgentResult } from '../agents/agent.js';
import type { ProviderLimiter } from '../limits/provider-limiter.js';
import { defaultBackoff, type StepDefinition } from '../protocol/plan-types.js';
import type { Clock } from '../support/clock.js';
import { callLimited } from './limited-call.js';
import { agentReviewPrompt } from './review-prompts.js';
import type { ReviewSettings } from './review-settings.js';
import type { Reviewer, ReviewerAnswer, ReviewQuestion } from './reviewer.js';

export interface AgentReviewerDeps {
  clock: Clock;
  random: () => number;
  limiter: ProviderLimiter;
  /** Directory for the reviewers' transcripts of a run. */
  logsDir(runId: string): string;
}

type Settings = Pick<ReviewSettings, 'rateLimitRetries' | 'errorRetries' | 'maxTokens'>;

export function createAgentReviewer(
  agent: Agent,
  identity: string,
  deps: AgentReviewerDeps,
  settings: Settings,
): Reviewer {
  async function ask(question: ReviewQuestion): Promise<ReviewerAnswer> {
    const prompt = agentReviewPrompt(question.evidence);
    const step: StepDefinition = {
      id: `${question.stepId}.review.${question.slot}`,
      label: `${question.stepId} review by ${question.slot}`,
      agent: agent.name,
      action: 'analyze',
      prompt,
      needs: [],
      retries: 0,
      backoff: defaultBackoff,
    };
    const outcome = await callLimited<AgentResult>(
      () =>
        agent.run({
          runId: question.runId,
          stepId: step.id,
          attempt: question.attempt,
          step,
          workspace: question.cwd,
          logFile: join(deps.logsDir(question.runId), `${fileSafe(step.id)}.${question.attempt}.log`),
          signal: question.signal,
          // The agent's own pool records pooled processes; a one-shot reviewer process ends with its call.
          onProcessStarted: () => {},
        }),
      {
        limiter: deps.limiter,
        clock: deps.clock,
        random: deps.random,
        rateLimitRetries: settings.rateLimitRetries,
        errorRetries: settings.errorRetries,
        estimatedTokens: Math.ceil(prompt.length / 4) + settings.maxTokens,
        signal: question.signal,
      },
    );
    const base = {
      calls: outcome.requests > 0 ? 1 : 0,
      requests: outcome.requests,
      rateLimited: outcome.rateLimited,
    };
    const { result } = outcome;
    if (result.ok) return { ...base, result: { ok: true, text: result.output } };
    return { ...base, result: { ok: false, failure: result.failure } };
  }

  return { name: agent.name, kind: 'agent', identity, ask };
}

function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}
