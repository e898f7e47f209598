/**
 * Best-of-N in the workspace. A candidate's `merge` stage keeps its work instead of merging it: the
 * worktree becomes a commit on the candidate's branch, kept under `refs/ai-collab/<run>/candidates/…`, and
 * the worktree stays for the pick. The pick then merges the winner's commit into the run branch as the
 * best-of-N step's own change, and lets go of every candidate's worktree (their refs keep the commits).
 */
import type { StageContext, StageResult, StepHookContext } from '../engine/step-hooks.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import { mainCheckout } from './git-repository.js';
import { mergeIntoRun } from './merge-into-run.js';
import {
  changesDetail,
  commitMessage,
  commitStep,
  keepResult,
  mergedDetail,
  openStepWorktree,
  prune,
} from './merge-stage.js';
import { readPrepared } from './prepared-detail.js';
import { candidateRef } from './ref-names.js';
import type { RunWorkspace } from './run-workspace.js';
import { describeChanges } from './step-changes.js';
import type { WorkspaceContext } from './workspace-context.js';
import { worktreeCall } from './worktrees.js';

export async function keepCandidate(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StageContext,
): Promise<StageResult> {
  const { step } = context;
  const opened = await openStepWorktree(workspace, run, context);
  if ('kind' in opened) return opened;
  const commit = await commitStep(workspace, run, context, opened, true);
  if (commit === undefined) return { kind: 'passed', detail: { changed: 'false', candidate: 'kept' } };
  const { startCommit } = opened.prepared;
  const changes = await describeChanges(workspace.git, worktreeCall(opened.worktree), startCommit, commit, {
    maxPatchBytes: workspace.maxPatchBytes,
  });
  const ref = candidateRef(run.runId, step.candidateOf ?? step.id, step.candidate ?? 0);
  await workspace.git(['update-ref', ref, commit], mainCheckout(run.repo));
  return {
    kind: 'passed',
    detail: {
      changed: 'true',
      candidate: 'kept',
      ref,
      commit,
      ...changesDetail(changes),
    },
    change: { startCommit, resultCommit: commit },
  };
}

export async function mergeCandidate(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StepHookContext & { candidate: StepDefinition },
): Promise<StageResult> {
  const { step, candidate, state } = context;
  const commit = state.steps[candidate.id]?.resultCommit;
  try {
    if (commit === undefined)
      return { kind: 'passed', detail: { changed: 'false', candidate: candidate.id } };
    const opened = await openStepWorktree(workspace, run, { step: candidate, state });
    if ('kind' in opened) return opened;
    const { startCommit } = opened.prepared;
    const changes = await describeChanges(workspace.git, worktreeCall(opened.worktree), startCommit, commit, {
      maxPatchBytes: workspace.maxPatchBytes,
    });
    const outcome = await workspace.runLock.run(run.runId, () =>
      mergeIntoRun(workspace.git, run, opened.worktree, {
        stepId: step.id,
        commit,
        startCommit,
        message: commitMessage({ step, attempt: context.attempt }, run, 'merge'),
      }),
    );
    if (outcome.kind === 'conflicted') {
      const ref = candidateRef(run.runId, step.id, candidate.candidate ?? 0);
      return {
        kind: 'conflicted',
        files: outcome.files,
        message: `the picked candidate ${candidate.label} of step ${step.label} conflicts with the run branch in ${outcome.files.join(', ')}; its work is kept under ${ref} (${commit.slice(0, 12)})`,
      };
    }
    await keepResult(workspace, run, step.id, commit);
    return {
      kind: 'passed',
      detail: { ...mergedDetail(run, commit, outcome, changes), candidate: candidate.id },
      change: { startCommit, resultCommit: commit },
    };
  } finally {
    await releaseCandidates(workspace, run, context);
  }
}

/** Every candidate's worktree and branch go; the refs under `candidates/` keep their commits. */
async function releaseCandidates(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StepHookContext,
): Promise<void> {
  for (const id of context.step.candidates ?? []) {
    const prepared = readPrepared(context.state.steps[id]?.workspaceDetail);
    if (prepared?.isolation === 'worktree' && prepared.worktree)
      await prune(workspace, run, prepared.worktree, prepared);
  }
}
