/**
 * Which steps get which kind of workspace. Pure: a function of the plan only, so every process (and a
 * resumed run) decides the same way.
 *
 * - `worktree`: code-changing steps. Their own worktree and branch, committed and merged afterwards.
 * - `integration`: every other step of a run that has a run branch (read/analyze/validate agent steps,
 *   shell steps): the run's integration worktree, a checkout of the run branch as it stands when the step
 *   starts; what the step writes is committed to the run branch as its change.
 * - `in-place`: a run with no code-changing step has no run branch; its steps run in the user's workspace.
 *
 * (`view`, a throwaway checkout per looking step, is what older runs recorded; it is still read back.)
 */
import type { PlanDefinition, StepAction, StepDefinition } from '../protocol/plan-types.js';

export type IsolationMode = 'worktree' | 'integration' | 'in-place';

const codeChangingActions: ReadonlySet<StepAction> = new Set(['write', 'edit', 'execute', 'delegate']);
const lookingActions: ReadonlySet<StepAction> = new Set(['read', 'analyze', 'validate']);

/** What the step itself asks for, before the rest of the plan is considered. */
export function ownIsolation(step: StepDefinition): 'worktree' | 'shared' {
  if (step.isolate === true) return 'worktree';
  // `isolate: false` opts out of a worktree of its own, not out of the run branch: the checkout stays untouched.
  if (step.isolate === false) return 'shared';
  if (step.action === 'write' || step.action === 'edit') return 'worktree';
  // A shell step (it has a command) shares the run's workspace unless told otherwise.
  if (step.run !== undefined) return 'shared';
  if (step.action !== undefined && lookingActions.has(step.action)) return 'shared';
  // Agent steps that change code, and agent steps that do not say: an agent with a prompt can edit files.
  if (step.action === undefined || codeChangingActions.has(step.action)) return 'worktree';
  return 'shared';
}

/** Each step's mode: with a run branch, steps without a worktree of their own share the integration worktree. */
export function isolationModes(plan: PlanDefinition): Map<string, IsolationMode> {
  const shared: IsolationMode = planChangesCode(plan) ? 'integration' : 'in-place';
  const modes = new Map<string, IsolationMode>();
  for (const step of plan.steps) modes.set(step.id, ownIsolation(step) === 'worktree' ? 'worktree' : shared);
  return modes;
}

/** Whether the run needs a branch at all: a plan of plain shell steps leaves the repository alone. */
export function planChangesCode(plan: PlanDefinition): boolean {
  return plan.steps.some((step) => ownIsolation(step) === 'worktree');
}
