/** Token and cost totals: per step across attempts, and per run across steps. */
import type { StepUsage } from './events.js';
import type { RunState } from './run-state.js';

export function addUsage(total: StepUsage | undefined, more: StepUsage): StepUsage {
  if (!total) return more;
  const costUsd = (total.costUsd ?? 0) + (more.costUsd ?? 0);
  const cachedInputTokens = (total.cachedInputTokens ?? 0) + (more.cachedInputTokens ?? 0);
  const model = more.model ?? total.model;
  const costSource = total.costSource === more.costSource ? more.costSource : undefined;
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    ...(cachedInputTokens > 0 && { cachedInputTokens }),
    ...(total.costUsd !== undefined || more.costUsd !== undefined ? { costUsd } : {}),
    ...(model !== undefined && { model }),
    ...(costSource !== undefined && { costSource }),
    ...((total.costUnknown || more.costUnknown) && { costUnknown: true }),
  };
}

/** The run's total, or undefined when no agent reported usage (shell steps, for instance). */
export function runUsage(state: RunState): StepUsage | undefined {
  let total: StepUsage | undefined;
  for (const id of state.order) {
    const usage = state.steps[id]?.usage;
    if (usage) total = addUsage(total, usage);
  }
  return total;
}
