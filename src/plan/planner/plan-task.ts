/**
 * Planning a task with a configured agent, as every front end does it (CLI, MCP, server): choose the
 * planner, run it read-only, validate its answer (one repair round).
 */
import { join } from 'node:path';
import { descriptorOf, readOnlySpec } from '../../agents/adapters.js';
import type { AgentDeps } from '../../agents/agent-deps.js';
import type { AgentSpec } from '../../agents/agent-spec.js';
import { buildAgentRegistry } from '../../agents/build-agents.js';
import { ProviderBackoff } from '../../limits/provider-backoff.js';
import type { PlanDefinition } from '../../protocol/plan-types.js';
import { InputError } from '../../support/errors.js';
import { agentCatalogOf } from '../agent-catalog.js';
import { type PlannerRequest, runPlanner } from './run-planner.js';

/** Planners in order of preference when none is named. */
const preferredPlanners = ['claude', 'codex', 'gemini'];

export interface PlanTaskRequest {
  task: string;
  workspace: string;
  /** Agent to plan with; the first usable of claude, codex, gemini, an OpenAI-compatible model otherwise. */
  planner?: string;
  specs: ReadonlyMap<string, AgentSpec>;
  deps: Omit<AgentDeps, 'processes' | 'workspace'>;
  /** Directory for the planner's transcripts. */
  transcriptsDir: string;
  signal: AbortSignal;
  /** The process's shared provider backoff, so planning and steps wait for the same rate limits. */
  providers?: ProviderBackoff;
  /** Told before a failed planner call is tried again. */
  onRetry?: PlannerRequest['onRetry'];
}

export interface PlanTaskResult {
  plan: PlanDefinition;
  planner: string;
  attempts: number;
}

export async function planTask(request: PlanTaskRequest): Promise<PlanTaskResult> {
  if (request.task.trim() === '') {
    throw new InputError('USAGE', 'the task is empty; say what should be done, e.g. "add a login page"');
  }
  const spec = choosePlanner(request.specs, request.planner);
  // The planner may read the workspace but not change it.
  const registry = buildAgentRegistry([readOnlySpec(spec)], {
    ...request.deps,
    processes: { add: () => {}, remove: () => {}, list: () => [] },
    workspace: request.workspace,
  });
  const agent = registry.get(spec.name);
  if (!agent)
    throw new InputError(
      'USAGE',
      `the planner ${spec.name} cannot run: ${registry.unavailableReason(spec.name)}`,
    );
  const stamp = Date.now();
  try {
    const result = await runPlanner({
      task: request.task,
      workspace: request.workspace,
      planner: agent,
      plannerName: spec.name,
      agents: agentCatalogOf(request.specs.keys()),
      agentInfo: describeAgents(request.specs),
      logFile: (attempt) => join(request.transcriptsDir, `${stamp}-${attempt}.log`),
      signal: request.signal,
      retry: {
        clock: request.deps.clock,
        random: Math.random,
        providers:
          request.providers ?? ProviderBackoff.perAgent({ clock: request.deps.clock, random: Math.random }),
      },
      ...(request.onRetry && { onRetry: request.onRetry }),
    });
    return { plan: result.plan, planner: spec.name, attempts: result.attempts };
  } finally {
    await registry.closeAll();
  }
}

export function choosePlanner(
  specs: ReadonlyMap<string, AgentSpec>,
  requested: string | undefined,
): AgentSpec {
  if (requested !== undefined) {
    const spec = specs.get(requested);
    if (!spec) throw new InputError('USAGE', `no agent named ${requested}; see ai-collab doctor`);
    if (spec.unavailable) {
      throw new InputError(
        'USAGE',
        `the planner ${requested} cannot run: ${spec.unavailable.reason}; ${spec.unavailable.fix}`,
      );
    }
    return spec;
  }
  const usable = (spec: AgentSpec | undefined): spec is AgentSpec =>
    spec !== undefined && !spec.unavailable && canThink(spec) && spec.capabilities.includes('plan');
  const preferred = preferredPlanners.map((name) => specs.get(name)).find(usable);
  const chosen = preferred ?? [...specs.values()].find((spec) => usable(spec) && asksModel(spec));
  if (!chosen) {
    throw new InputError(
      'USAGE',
      'no planner agent is usable here (claude, codex, gemini or an OpenAI-compatible model); run ai-collab doctor for why, or name one',
    );
  }
  return chosen;
}

function describeAgents(specs: ReadonlyMap<string, AgentSpec>): Array<{ name: string; description: string }> {
  return [...specs.values()]
    .filter((spec) => !spec.unavailable && canThink(spec) && spec.capabilities.includes('execute'))
    .map((spec) => ({ name: spec.name, description: descriptorOf(spec).plannerDescription(spec) }));
}

/** Shell agents have no model: they neither plan nor get planned for by description. */
function canThink(spec: AgentSpec): boolean {
  const thinks = descriptorOf(spec).thinks;
  return typeof thinks !== 'object' || !('none' in thinks);
}

/** An agent that is a model asked directly (an OpenAI-compatible endpoint): the planner of last resort. */
function asksModel(spec: AgentSpec): boolean {
  const thinks = descriptorOf(spec).thinks;
  return typeof thinks === 'object' && 'model' in thinks;
}
