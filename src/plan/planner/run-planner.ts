/**
 * Asks the planner agent for a plan and holds its answer to the same strict schema and graph checks as a
 * plan file. One retry carries the validation errors back to the planner; a second failure is an error and
 * nothing approvable exists.
 */
import type { Agent, AgentTask, StepFailure } from '../../agents/agent.js';
import { type RetryDeps, reportRateLimit, retryDelay } from '../../engine/retry-policy.js';
import { defaultBackoff, type PlanDefinition, type StepDefinition } from '../../protocol/plan-types.js';
import { isInputError } from '../../support/errors.js';
import type { AgentCatalog } from '../agent-catalog.js';
import { parsePlanText } from '../load-plan.js';
import { collectWorkspaceContext } from './collect-context.js';
import { extractJsonObject } from './extract-json-object.js';
import { PlannerError } from './planner-error.js';
import { type PlannerAgentInfo, plannerPrompt, repairPrompt } from './planner-prompt.js';

export interface PlannerRequest {
  task: string;
  workspace: string;
  /** The planner agent, already set up to read but not change the workspace. */
  planner: Agent;
  plannerName: string;
  /** Agents the plan may use (validated against), with a line describing each for the prompt. */
  agents: AgentCatalog;
  agentInfo: readonly PlannerAgentInfo[];
  /** Transcript files of the planner's attempts (`2`, or `2.3` for the third try of the second answer). */
  logFile: (attempt: number | string) => string;
  signal: AbortSignal;
  onEvent?: AgentTask['onEvent'];
  /** Retries of a failed planner call, as a step's: the clock, jitter and the providers' shared backoff. */
  retry: RetryDeps;
  /** Told before the planner is asked again after a failure it may recover from. */
  onRetry?(failure: StepFailure, delayMs: number): void;
}

export interface PlannerResult {
  plan: PlanDefinition;
  attempts: number;
}

const maxAttempts = 2;

export async function runPlanner(request: PlannerRequest): Promise<PlannerResult> {
  const context = collectWorkspaceContext(request.workspace, request.task);
  const firstPrompt = plannerPrompt(request.task, request.agentInfo, context);
  let prompt = firstPrompt;
  let problems: readonly string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const answer = await askPlanner(request, prompt, attempt);
    const parsed = parseAnswer(answer, request.agents);
    if (parsed.ok) return { plan: parsed.plan, attempts: attempt };
    problems = parsed.problems;
    prompt = repairPrompt(firstPrompt, answer, problems);
  }
  throw new PlannerError(
    `the planner (${request.plannerName}) did not produce a valid plan in ${maxAttempts} attempts; nothing was stored`,
    problems,
  );
}

/** A plan step's defaults: a failed planner call is retried as a step on that agent would be. */
const planningRetries = 2;

/**
 * One answer from the planner. A failed call is classified, retried and backed off as a step's attempt
 * (a rate limit waits for its provider's reset); the planner's own transcript names each try.
 */
async function askPlanner(request: PlannerRequest, prompt: string, answer: number): Promise<string> {
  const step: StepDefinition = {
    id: 'plan',
    label: 'plan',
    agent: request.plannerName,
    action: 'analyze',
    prompt,
    needs: [],
    retries: planningRetries,
    backoff: defaultBackoff,
  };
  for (let failures = 0; ; ) {
    const result = await request.planner.run({
      runId: 'planner',
      stepId: 'plan',
      attempt: answer,
      step,
      workspace: request.workspace,
      logFile: request.logFile(failures === 0 ? answer : `${answer}.${failures + 1}`),
      signal: request.signal,
      onProcessStarted: () => {},
      ...(request.onEvent && { onEvent: request.onEvent }),
    });
    if (result.ok) return result.output;
    const { failure } = result;
    const providerResumesAt = reportRateLimit(step, failure, request.retry.providers);
    failures++;
    // A usage limit resets in hours: someone is waiting for this plan, so they are told now.
    const final = failure.kind === 'permanent' || failure.kind === 'usage-limit';
    if (final || failures > step.retries || request.signal.aborted) {
      const tries = failures > 1 ? ` (${failures} tries)` : '';
      throw new PlannerError(`the planner (${request.plannerName}) failed${tries}: ${failure.message}`);
    }
    const delay = retryDelay(step, failure, failures, providerResumesAt, request.retry);
    request.onRetry?.(failure, delay);
    await request.retry.clock.sleep(delay, request.signal);
  }
}

export function parseAnswer(
  answer: string,
  agents: AgentCatalog,
): { ok: true; plan: PlanDefinition } | { ok: false; problems: readonly string[] } {
  const json = extractJsonObject(answer);
  if (json === undefined)
    return { ok: false, problems: ['the answer holds no JSON object; answer with the plan object only'] };
  try {
    return { ok: true, plan: parsePlanText(json, 'plan.json', { agents }) };
  } catch (error) {
    if (isInputError(error))
      return {
        ok: false,
        problems: error.problems.map((problem) => problem.replace(/^plan\.json(:\d+:\d+)? /, '')),
      };
    throw error;
  }
}
