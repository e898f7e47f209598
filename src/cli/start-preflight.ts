/**
 * The one pre-flight of every start — `run`, `plan`, `resume`, `approve`, `retry`, and every start over HTTP
 * or MCP (the engine calls it before it claims a run): each agent the steps still to run use must be one
 * `doctor` calls usable (its reason and fix otherwise), and steps to review need a usable reviewer.
 * Refusals are `InputError`s (exit 2); what only degrades the run comes back as warnings.
 */
import type { AgentRegistry } from '../agents/registry.js';
import { type RunState, stepsStillToRun } from '../engine/run-state.js';
import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import { terminalSafe } from '../support/control-characters.js';
import { InputError } from '../support/errors.js';
import { checkReviewers } from './review-preflight.js';
import type { ReviewRuntime } from './review-runtime.js';

export type Preflight = (plan: PlanDefinition, steps: readonly StepDefinition[]) => string[];

export function createPreflight(options: {
  agents: Pick<AgentRegistry, 'get' | 'unavailableReason' | 'fallbackOf'>;
  review: Pick<ReviewRuntime, 'configured' | 'problems'> & { swarm: { usable: boolean } };
  /** `--no-review`: steps of this process are not reviewed, so no reviewer is needed. */
  reviewOff: boolean;
}): Preflight {
  return (_plan, steps) => {
    // A best-of-N step runs no agent itself; a step with a usable fallback moves there (a warning).
    const agentSteps = steps.filter((step) => step.pick === undefined);
    const moving = agentSteps.filter((step) => movesToFallback(step, options.agents));
    assertAgentsCanRun(
      agentSteps.filter((step) => !moving.includes(step)),
      options.agents,
    );
    const warnings = moving.map(
      (step) =>
        `step ${String(step.label)}: ${options.agents.unavailableReason(step.agent) ?? `agent "${step.agent}" is not available`}; it runs on its fallback`,
    );
    return [...warnings, ...(options.reviewOff ? [] : checkReviewers(steps, options.review))];
  };
}

/** The step's agent cannot run here but one of its fallbacks (the step's, else the agent's) can. */
function movesToFallback(step: StepDefinition, agents: Pick<AgentRegistry, 'get' | 'fallbackOf'>): boolean {
  if (agents.get(step.agent) !== undefined) return false;
  return (step.fallback ?? agents.fallbackOf(step.agent)).some((agent) => agents.get(agent) !== undefined);
}

function assertAgentsCanRun(
  steps: readonly StepDefinition[],
  agents: Pick<AgentRegistry, 'get' | 'unavailableReason'>,
): void {
  const byAgent = new Map<string, string[]>();
  for (const step of steps) {
    if (agents.get(step.agent) !== undefined) continue;
    byAgent.set(step.agent, [...(byAgent.get(step.agent) ?? []), String(step.label)]);
  }
  if (byAgent.size === 0) return;
  throw new InputError(
    'PLAN_INVALID',
    `the plan uses agents that cannot run here (${[...byAgent.keys()].join(', ')})`,
    [...byAgent].map(
      ([agent, labels]) =>
        `${agents.unavailableReason(agent) ?? `agent "${agent}" is not available`} (steps: ${labels.slice(0, 10).join(', ')}${labels.length > 10 ? ', …' : ''})`,
    ),
  );
}

/** Runs the pre-flight for a run's steps still to finish, printing its warnings; throws its refusal. */
export function warnPreflight(
  runtime: { preflight: Preflight },
  state: Readonly<RunState>,
  stderr: NodeJS.WritableStream,
): void {
  for (const warning of runtime.preflight(state.plan, stepsStillToRun(state)))
    stderr.write(`warning: ${terminalSafe(warning)}\n`);
}
