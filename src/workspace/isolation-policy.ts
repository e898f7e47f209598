/**
 * Which steps get which kind of workspace. Pure: a function of the plan only, so every process (and a
 * resumed run) decides the same way.
 *
 * - `worktree`: code-changing steps. Their own worktree and branch, committed and merged afterwards.
 * - `view`: steps that only look (read/analyze/validate agent steps, plain shell steps) but come after a
 *   code-changing step: a throwaway checkout of the run branch, so `npm test` tests the merged work.
 * - `in-place`: everything else runs in the user's workspace, as without isolation.
 */
import type { PlanDefinition, StepAction, StepDefinition } from '../protocol/plan-types.js';

export type IsolationMode = 'worktree' | 'view' | 'in-place';

const codeChangingActions: ReadonlySet<StepAction> = new Set(['write', 'edit', 'execute', 'delegate']);
const lookingActions: ReadonlySet<StepAction> = new Set(['read', 'analyze', 'validate']);

/** What the step itself asks for, before its place in the plan is considered. */
export function ownIsolation(step: StepDefinition): IsolationMode | 'looks' {
  if (step.isolate === true) return 'worktree';
  if (step.isolate === false) return 'in-place';
  if (step.action === 'write' || step.action === 'edit') return 'worktree';
  // A shell step (it has a command) runs in place unless told otherwise.
  if (step.run !== undefined) return 'looks';
  if (step.action !== undefined && lookingActions.has(step.action)) return 'looks';
  // Agent steps that change code, and agent steps that do not say: an agent with a prompt can edit files.
  if (step.action === undefined || codeChangingActions.has(step.action)) return 'worktree';
  return 'looks';
}

/** Each step's mode; looking steps downstream of a code-changing step see the run branch. */
export function isolationModes(plan: PlanDefinition): Map<string, IsolationMode> {
  const own = new Map<string, IsolationMode | 'looks'>();
  for (const step of plan.steps) own.set(step.id, ownIsolation(step));
  const byId = new Map(plan.steps.map((step) => [step.id, step]));
  const downstream = new Map<string, boolean>();
  // Iterative DFS over `needs`: plans hold up to 200,000 steps, too deep for recursion.
  const afterChange = (start: string): boolean => {
    const cached = downstream.get(start);
    if (cached !== undefined) return cached;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    const onPath = new Set<string>([start]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; next: number };
      const needs = byId.get(frame.id)?.needs ?? [];
      if (frame.next >= needs.length) {
        stack.pop();
        onPath.delete(frame.id);
        if (!downstream.has(frame.id)) downstream.set(frame.id, false);
        continue;
      }
      const dependency = needs[frame.next++] as string;
      if (own.get(dependency) === 'worktree' || downstream.get(dependency) === true) {
        for (const entry of stack) downstream.set(entry.id, true);
        stack.length = 0;
        break;
      }
      if (downstream.has(dependency) || onPath.has(dependency)) continue;
      onPath.add(dependency);
      stack.push({ id: dependency, next: 0 });
    }
    return downstream.get(start) ?? false;
  };
  const modes = new Map<string, IsolationMode>();
  for (const step of plan.steps) {
    const mode = own.get(step.id);
    if (mode === 'looks') modes.set(step.id, afterChange(step.id) ? 'view' : 'in-place');
    else modes.set(step.id, mode ?? 'in-place');
  }
  return modes;
}

/** Whether the run needs a branch at all: a plan of plain shell steps leaves the repository alone. */
export function planChangesCode(plan: PlanDefinition): boolean {
  return plan.steps.some((step) => ownIsolation(step) === 'worktree');
}
