/** Turns a schema-valid plan document (ours or the seed's) into the engine's `PlanDefinition`. */
import {
  type BackoffPolicy,
  type Budget,
  defaultBackoff,
  type PlanDefinition,
  type StepDefinition,
} from '../protocol/plan-types.js';
import { type CandidateRequest, expandCandidates } from './expand-candidates.js';
import type { PlanProblem } from './plan-problem.js';
import type { NativePlanInput, SeedPlanInput } from './plan-schema.js';
import type { GraphNode } from './validate-graph.js';

export interface NormalizedPlan {
  plan: PlanDefinition;
  nodes: GraphNode[];
  problems: PlanProblem[];
}

export const shellAgent = 'shell';

/** Agent steps retry transient failures by default; shell steps fail at once unless told to retry. */
const defaultAgentRetries = 2;
const defaultShellRetries = 0;

type BackoffInput = { initial?: number | undefined; max?: number | undefined; factor?: number | undefined };

function resolveBackoff(step: BackoffInput | undefined, plan: BackoffInput | undefined): BackoffPolicy {
  const initialMs = step?.initial ?? plan?.initial ?? defaultBackoff.initialMs;
  const maxMs = step?.max ?? plan?.max ?? Math.max(defaultBackoff.maxMs, initialMs);
  return { initialMs, maxMs, factor: step?.factor ?? plan?.factor ?? defaultBackoff.factor };
}

export function normalizeNativePlan(input: NativePlanInput, fallbackName: string): NormalizedPlan {
  const defaults = input.defaults ?? {};
  const problems: PlanProblem[] = [];
  const nodes: GraphNode[] = [];
  const candidateRequests = new Map<string, CandidateRequest>();
  const written = input.steps.map((step, index): StepDefinition => {
    if (step.candidates !== undefined || step.agents !== undefined || step.pick !== undefined) {
      candidateRequests.set(String(step.id), {
        index,
        count: step.candidates,
        agents: step.agents,
        pick: step.pick,
      });
    }
    if (step.needs && step.inputs) {
      problems.push({ path: ['steps', index, 'inputs'], message: 'use either needs or inputs, not both' });
    }
    const agent =
      step.agent ?? step.agents?.[0] ?? defaults.agent ?? (step.run !== undefined ? shellAgent : '');
    const needs = (step.needs ?? step.inputs ?? []).map(String);
    nodes.push({
      id: String(step.id),
      index,
      needs,
      needsKey: step.inputs && !step.needs ? 'inputs' : 'needs',
    });
    const env = defaults.env || step.env ? { ...defaults.env, ...step.env } : undefined;
    const review = step.review ?? defaults.review;
    const timeoutMs = step.timeout ?? defaults.timeout;
    const estimateMs = step.estimate ?? defaults.estimate;
    const backoff = resolveBackoff(step.backoff, defaults.backoff);
    if (backoff.maxMs < backoff.initialMs) {
      problems.push({
        path: ['steps', index, 'backoff', 'max'],
        message: `backoff max (${backoff.maxMs}ms) is shorter than initial (${backoff.initialMs}ms)`,
      });
    }
    return {
      id: String(step.id),
      label: step.id,
      agent,
      needs,
      retries:
        step.retries ??
        defaults.retries ??
        (agent === shellAgent ? defaultShellRetries : defaultAgentRetries),
      backoff,
      ...(step.action !== undefined && { action: step.action }),
      ...(step.target !== undefined && { target: step.target }),
      ...(step.description !== undefined && { description: step.description }),
      ...(step.prompt !== undefined && { prompt: step.prompt }),
      ...(step.run !== undefined && { run: step.run }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(estimateMs !== undefined && { estimateMs }),
      ...(review !== undefined && { review }),
      ...(step.isolate !== undefined && { isolate: step.isolate }),
      ...(env !== undefined && { env }),
      ...(step.check !== undefined && { check: step.check }),
      ...(step.fallback !== undefined && { fallback: step.fallback }),
      ...(step.budget !== undefined && { budget: budgetOf(step.budget) }),
    };
  });
  problems.push(...checkStepKinds(written));
  const expanded = expandCandidates(written, candidateRequests);
  problems.push(...expanded.problems);
  const steps = expanded.steps;
  const meta = {
    ...(input.rationale !== undefined && { rationale: input.rationale }),
    ...(input.risks !== undefined && { risks: input.risks }),
    ...(input.confidence !== undefined && { confidence: input.confidence }),
  };
  const plan: PlanDefinition = {
    name: input.name ?? fallbackName,
    format: 'native',
    steps,
    ...(input.concurrency !== undefined && { concurrency: input.concurrency }),
    ...(input.budget !== undefined && { budget: budgetOf(input.budget) }),
    ...(Object.keys(meta).length > 0 && { meta }),
    ...(input.workspace?.setup !== undefined && { workspace: { setup: input.workspace.setup } }),
  };
  return { plan, nodes, problems };
}

export function normalizeSeedPlan(input: SeedPlanInput, fallbackName: string): NormalizedPlan {
  const nodes: GraphNode[] = [];
  const steps = input.steps.map((step, index): StepDefinition => {
    const needs = (step.inputs ?? []).map(String);
    nodes.push({ id: String(step.id), index, needs, needsKey: 'inputs' });
    return {
      id: String(step.id),
      label: step.id,
      agent: step.assignedAgent,
      action: step.action,
      target: step.target,
      description: step.description,
      prompt: seedPrompt(step.action, step.target, step.description),
      needs,
      retries: defaultAgentRetries,
      backoff: { ...defaultBackoff },
    };
  });
  const { steps: _steps, ...meta } = input;
  const plan: PlanDefinition = {
    name: input.planId ?? fallbackName,
    format: 'seed',
    steps,
    meta,
  };
  return { plan, nodes, problems: [] };
}

/** Drops the keys zod leaves as undefined, so plans compare and serialise cleanly. */
function budgetOf(input: { usd?: number | undefined; tokens?: number | undefined }): Budget {
  return {
    ...(input.usd !== undefined && { usd: input.usd }),
    ...(input.tokens !== undefined && { tokens: input.tokens }),
  };
}

function seedPrompt(action: string, target: string, description: string): string {
  return `${description}\n\nAction: ${action}\nTarget: ${target}`;
}

function checkStepKinds(steps: readonly StepDefinition[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  steps.forEach((step, index) => {
    if (step.agent === '') {
      problems.push({
        path: ['steps', index, 'agent'],
        message: 'no agent given; set agent: (or defaults.agent), or run: for a shell step',
      });
    } else if (step.agent === shellAgent) {
      if (step.run === undefined) {
        problems.push({
          path: ['steps', index],
          message: 'a shell step needs a command; add run: <command>',
        });
      }
    } else if (step.run !== undefined) {
      problems.push({
        path: ['steps', index, 'run'],
        message: `run: is for shell steps only; give agent "${step.agent}" a prompt: instead`,
      });
    } else if (step.prompt === undefined && step.description === undefined) {
      problems.push({
        path: ['steps', index],
        message: `agent step "${step.id}" needs a prompt:; say what the agent should do`,
      });
    }
  });
  return problems;
}
