/** What a run changed in the repository, per step, and how to land it. */
import type { Colors } from 'picocolors/types.js';
import type { RunState } from '../../engine/run-state.js';
import { terminalSafe } from '../../support/control-characters.js';
import { summaryFromState } from '../../workspace/run-summary.js';

export function renderWorkspaceSummary(state: RunState, colors: Colors): string | undefined {
  const summary = summaryFromState(state.workspaceSummary);
  if (!summary || summary.removed) return undefined;
  const lines = [
    `${colors.bold('Changes')} on ${colors.cyan(summary.runBranch)}: ${summary.files.length} file(s), ${colors.green(`+${summary.insertions}`)} ${colors.red(`−${summary.deletions}`)}`,
  ];
  for (const step of summary.steps) {
    const label = terminalSafe(String(state.steps[step.stepId]?.label ?? step.stepId));
    const where =
      step.outcome === 'merged' ? 'merged' : `${step.outcome}, kept on ${step.branch ?? 'its branch'}`;
    lines.push(
      `  ${label}: ${step.files.length} file(s) ${where}${
        step.files.length > 0
          ? colors.gray(
              ` (${step.files
                .slice(0, 4)
                .map((file) => terminalSafe(file.path))
                .join(', ')}${step.files.length > 4 ? ', …' : ''})`,
            )
          : ''
      }`,
    );
  }
  // Once applied or discarded (the log says), the way to land them is no longer news.
  if (!state.applied && !state.discarded) {
    lines.push(
      `Land them on your branch with: ai-collab apply ${state.runId}   (or drop them: ai-collab discard ${state.runId})`,
    );
  }
  return lines.join('\n');
}
