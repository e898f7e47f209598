/**
 * Steps that only look: `read`, `analyze` and `validate` steps, the planner and the reviewers. Every
 * adapter runs them read-only by its CLI's own means, from one definition here: claude in plan mode
 * (one process per step, since a warm process's mode is fixed at its start), codex in its read-only
 * sandbox, gemini in its read-only `plan` approval mode, an ACP agent with writes refused (and in its
 * read-only session mode when it offers one), and OpenAI-compatible agents with only the reading tools.
 */
import type { StepAction, StepDefinition } from '../protocol/plan-types.js';
import type { AgentSpec } from './agent-spec.js';

const readOnlyActions: ReadonlySet<StepAction> = new Set(['read', 'analyze', 'validate']);

export function isReadOnlyStep(step: Pick<StepDefinition, 'action'>): boolean {
  return step.action !== undefined && readOnlyActions.has(step.action);
}

/** The agent's configuration for a step that may read the workspace but not change it. */
export function readOnlySpec(spec: AgentSpec): AgentSpec {
  switch (spec.adapter) {
    case 'claude':
      return { ...spec, mode: 'oneshot', permissionMode: 'plan' };
    case 'codex':
      return { ...spec, mode: 'exec', sandbox: 'read-only' };
    case 'gemini':
      return { ...spec, mode: 'prompt', approvalMode: 'plan' };
    default:
      return spec;
  }
}

/** The configuration a step runs with: read-only for a step that only looks, the agent's own otherwise. */
export function specForStep(spec: AgentSpec, step: Pick<StepDefinition, 'action'>): AgentSpec {
  return isReadOnlyStep(step) ? readOnlySpec(spec) : spec;
}
