/**
 * Steps that only look: `read`, `analyze` and `validate` steps, the planner and the reviewers. Every
 * adapter runs them read-only by its CLI's own means, said once in its descriptor (`readOnly`): claude in
 * plan mode (one process per step, since a warm process's mode is fixed at its start), codex in its
 * read-only sandbox, gemini in its read-only `plan` approval mode, an ACP agent with writes refused (and
 * in its read-only session mode when it offers one), and OpenAI-compatible agents with only the reading
 * tools.
 */
import type { StepAction, StepDefinition } from '../protocol/plan-types.js';

const readOnlyActions: ReadonlySet<StepAction> = new Set(['read', 'analyze', 'validate']);

export function isReadOnlyStep(step: Pick<StepDefinition, 'action'>): boolean {
  return step.action !== undefined && readOnlyActions.has(step.action);
}

/** The configuration a step runs with: `readOnly(spec)` for a step that only looks, the agent's own otherwise. */
export function specForStep<Spec>(
  spec: Spec,
  step: Pick<StepDefinition, 'action'>,
  readOnly: (spec: Spec) => Spec,
): Spec {
  return isReadOnlyStep(step) ? readOnly(spec) : spec;
}
