/**
 * The workspace room as the engine's `StepHooks`: the run branch at start, a worktree per code-changing
 * step, the merge stage (after any review stage), conflict resolution steps, and the wrap-up at the end.
 * Reports become flat records here because the engine keeps them in its log.
 */
import type { StepHooks, StepStage } from '../engine/step-hooks.js';
import type { IsolationReport, WorkspaceHooks } from './workspace-hooks.js';

export function workspaceStepHooks(
  workspaces: WorkspaceHooks,
  stagesBeforeMerge: readonly StepStage[] = [],
): StepHooks {
  return {
    startRun: async (run) => isolationDetail(await workspaces.startRun(run)),
    prepare: (context) => workspaces.prepare(context),
    // Cheapest first: did it change its target, then its check:, then the reviewers, then the merge.
    stages: [workspaces.verifyStage, ...stagesBeforeMerge, workspaces.mergeStage],
    onConflict: (notice) => workspaces.onConflict(notice),
    mergeCandidate: (context) => workspaces.mergeCandidate(context),
    finishRun: async (state) => {
      const summary = await workspaces.finishRun(state);
      return summary ? { ...summary } : undefined;
    },
  };
}

export function isolationDetail(report: IsolationReport): Record<string, string> {
  switch (report.kind) {
    case 'on':
      return {
        isolation: 'on',
        runBranch: report.runBranch,
        baseCommit: report.baseCommit,
        ...(report.baseRef !== undefined && { baseRef: report.baseRef }),
        uncommittedChanges: report.uncommittedChanges ? 'yes' : 'no',
        message: `code-changing steps work in their own worktrees and land on ${report.runBranch}, from ${report.baseRef ?? 'HEAD'} at ${report.baseCommit.slice(0, 10)}${report.uncommittedChanges ? '; your uncommitted changes are not included' : ''}; every other step works in the run's integration worktree and what it writes lands there too; your checkout is not touched (ai-collab apply lands the result)`,
      };
    case 'off':
      return {
        isolation: 'off',
        reason: report.reason,
        message: `isolation is off: ${report.reason}; steps run in place and change the workspace directly`,
      };
    case 'not-needed':
      return {
        isolation: 'not-needed',
        message: 'no step changes code: steps run in place, in the workspace (no run branch)',
      };
  }
}

/** The report back from what the engine recorded (for front ends and tests). */
export function isolationFromDetail(
  detail: Readonly<Record<string, string>> | undefined,
): IsolationReport | undefined {
  if (!detail) return undefined;
  if (detail.isolation === 'on' && detail.runBranch && detail.baseCommit) {
    return {
      kind: 'on',
      runBranch: detail.runBranch,
      baseCommit: detail.baseCommit,
      ...(detail.baseRef !== undefined && { baseRef: detail.baseRef }),
      uncommittedChanges: detail.uncommittedChanges === 'yes',
    };
  }
  if (detail.isolation === 'off') return { kind: 'off', reason: detail.reason ?? '' };
  if (detail.isolation === 'not-needed') return { kind: 'not-needed' };
  return undefined;
}
