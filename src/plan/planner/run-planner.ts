/**
 * Asks the planner agent for a plan and holds its answer to the same strict schema and graph checks as a
 * plan file. One retry carries the validation errors back to the planner; a second failure is an error and
 * nothing approvable exists.
 */
import type { Agent, AgentTask } from '../../agents/agent.js';
import type { PlanDefinition } from '../../protocol/plan-types.js';
import { isInputError, OrchestratorError } from '../../support/errors.js';
import type { AgentCatalog } from '../agent-catalog.js';
import { parsePlanText } from '../load-plan.js';
import { collectWorkspaceContext } from './collect-context.js';
import { extractJsonObject } from './extract-json-object.js';
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
  /** Transcript files of the planner's attempts. */
  logFile: (attempt: number) => string;
  signal: AbortSignal;
  onEvent?: AgentTask['onEvent'];
}

export interface PlannerResult {
  plan: PlanDefinition;
  attempts: number;
}

export class PlannerError extends OrchestratorError {
  override readonly name = 'PlannerError';
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = []) {
    super('PLAN_INVALID', message);
    this.problems = problems;
  }
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

async function askPlanner(request: PlannerRequest, prompt: string, attempt: number): Promise<string> {
  const result = await request.planner.run({
    runId: 'planner',
    stepId: 'plan',
    attempt,
    step: {
      id: 'plan',
      label: 'plan',
      agent: request.plannerName,
      action: 'analyze',
      prompt,
      needs: [],
      retries: 0,
      backoff: { initialMs: 1_000, maxMs: 1_000, factor: 1 },
    },
    workspace: request.workspace,
    logFile: request.logFile(attempt),
    signal: request.signal,
    onProcessStarted: () => {},
    ...(request.onEvent && { onEvent: request.onEvent }),
  });
  if (!result.ok) {
    throw new PlannerError(`the planner (${request.plannerName}) failed: ${result.failure.message}`);
  }
  return result.output;
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
