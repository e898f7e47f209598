/**
 * The `merge` stage, after the agent (and the review) succeeded: the step's worktree becomes one commit on
 * its branch, naming the run and step; that commit is merged into the run branch; the diff goes into the
 * stage's recorded detail. A conflict keeps the commit on the step's branch and reports the files.
 */
import type { StageContext, StageResult } from '../engine/step-hooks.js';
import { errorMessage } from '../support/errors.js';
import { assertConfigTrusted } from './config-trust.js';
import { type ConflictRecord, readResolution, writeConflict } from './conflict-records.js';
import { mainCheckout } from './git-repository.js';
import { type MergeOutcome, mergeIntoRun } from './merge-into-run.js';
import { type PreparedDetail, readPrepared } from './prepared-detail.js';
import { stepResultRef, trailerLines } from './ref-names.js';
import { filesWithMarkers } from './resolution-step.js';
import type { RunWorkspace } from './run-workspace.js';
import { type ChangeDescription, commitWorktree, describeChanges, fileLines } from './step-changes.js';
import type { WorkspaceContext } from './workspace-context.js';
import {
  assertNotUserCheckout,
  findAdminDir,
  removeWorktree,
  type WorktreeHandle,
  worktreeCall,
} from './worktrees.js';

/** A step's worktree as recorded when it was prepared, checked against the repository's own records. */
export interface StepWorktree {
  worktree: WorktreeHandle;
  prepared: PreparedDetail & { worktree: string; startCommit: string; branch: string };
  resolution: ConflictRecord | undefined;
}

export async function openStepWorktree(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: Pick<StageContext, 'step' | 'state'>,
): Promise<StepWorktree | StageResult> {
  const { step } = context;
  const prepared = readPrepared(context.state.steps[step.id]?.workspaceDetail);
  if (prepared?.isolation !== 'worktree' || !prepared.worktree || !prepared.startCommit || !prepared.branch) {
    return internalFailure(`step ${step.id} has no recorded worktree to merge`);
  }
  // The administrative directory is looked up again in the repository, never taken from the worktree.
  const gitDir = findAdminDir(run.repo.commonDir, prepared.worktree);
  if (!gitDir) return internalFailure(`the worktree of step ${step.id} (${prepared.worktree}) is gone`);
  const worktree: WorktreeHandle = { path: prepared.worktree, gitDir };
  assertNotUserCheckout(run.repo, worktree.path);
  await assertConfigTrusted(workspace.git, worktreeCall(worktree), run.record.trustedConfig);
  return {
    worktree,
    prepared: {
      ...prepared,
      worktree: prepared.worktree,
      startCommit: prepared.startCommit,
      branch: prepared.branch,
    },
    resolution: readResolution(run.dir, step.id),
  };
}

/** Commits the worktree (the step branch moves to it when `onBranch`); undefined when nothing changed. */
export function commitStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: Pick<StageContext, 'step' | 'attempt'>,
  opened: StepWorktree,
  onBranch: boolean,
): Promise<string | undefined> {
  const { prepared, resolution } = opened;
  return commitWorktree(workspace.git, opened.worktree, {
    parents: resolution ? [prepared.startCommit, resolution.stepCommit] : [prepared.startCommit],
    exclude: prepared.broughtIn,
    message: commitMessage(context, run, 'changes'),
    ...(onBranch && { branch: prepared.branch }),
  });
}

/**
 * What the step changed so far, for the review stage (which runs before the merge): files, counts and
 * the patch against the step's start. Nothing moves; the merge stage commits for real afterwards.
 */
export async function describeStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StageContext,
): Promise<ChangeDescription | undefined> {
  const opened = await openStepWorktree(workspace, run, context);
  if ('kind' in opened) return undefined;
  const commit = await commitStep(workspace, run, context, opened, false);
  if (commit === undefined) return undefined;
  return describeChanges(workspace.git, worktreeCall(opened.worktree), opened.prepared.startCommit, commit, {
    maxPatchBytes: workspace.maxPatchBytes,
  });
}

export async function mergeStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StageContext,
): Promise<StageResult> {
  const { git } = workspace;
  const { step } = context;
  const opened = await openStepWorktree(workspace, run, context);
  if ('kind' in opened) return opened;
  const { worktree, prepared, resolution } = opened;
  if (resolution) {
    const left = filesWithMarkers(worktree.path, resolution.files);
    if (left.length > 0) {
      return {
        kind: 'failed',
        failure: {
          code: 'AGENT_ERROR',
          kind: 'transient',
          message: `conflict markers are still in ${left.join(', ')}; the conflicts are not resolved`,
        },
      };
    }
  }
  const commit = await commitStep(workspace, run, context, opened, true);
  if (commit === undefined) {
    await prune(workspace, run, worktree.path, prepared);
    return { kind: 'passed', detail: { changed: 'false', runBranch: run.record.runBranch } };
  }
  const changes = await describeChanges(git, worktreeCall(worktree), prepared.startCommit, commit, {
    maxPatchBytes: workspace.maxPatchBytes,
  });
  const outcome = await workspace.runLock.run(run.runId, () =>
    mergeIntoRun(git, run, worktree, {
      stepId: step.id,
      commit,
      startCommit: prepared.startCommit,
      message: commitMessage(context, run, 'merge'),
    }),
  );
  if (outcome.kind === 'conflicted') return keepConflicted(workspace, run, context, opened, commit, outcome);
  await keepResult(workspace, run, step.id, commit);
  await prune(workspace, run, worktree.path, prepared);
  if (resolution) await deleteBranch(workspace, run, resolution.stepBranch);
  return {
    kind: 'passed',
    detail: mergedDetail(run, commit, outcome, changes),
    change: { startCommit: prepared.startCommit, resultCommit: commit },
  };
}

/** The step's commit stays reachable after its branch, the run branch (discard) or both are gone. */
export async function keepResult(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  stepId: string,
  commit: string,
): Promise<void> {
  await workspace.git(['update-ref', stepResultRef(run.runId, stepId), commit], mainCheckout(run.repo));
}

/** The conflicted work stays on the step's branch; its facts are written for the resolution step. */
async function keepConflicted(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StageContext,
  opened: StepWorktree,
  commit: string,
  outcome: Extract<MergeOutcome, { kind: 'conflicted' }>,
): Promise<StageResult> {
  const { prepared } = opened;
  writeConflict(run.dir, {
    version: 1,
    stepId: context.step.id,
    attempt: context.attempt,
    stepCommit: commit,
    stepBranch: prepared.branch,
    runTip: outcome.runTip,
    files: outcome.files,
    context: outcome.context,
  });
  await prune(workspace, run, opened.worktree.path, prepared, { keepBranch: true });
  return {
    kind: 'conflicted',
    files: outcome.files,
    message: `the changes of step ${context.step.label} conflict with the run branch in ${outcome.files.join(', ')}; they are kept on branch ${prepared.branch} (${commit.slice(0, 12)})`,
  };
}

export function mergedDetail(
  run: RunWorkspace,
  commit: string,
  outcome: Exclude<MergeOutcome, { kind: 'conflicted' }>,
  changes: ChangeDescription,
): Record<string, string> {
  return {
    changed: 'true',
    runBranch: run.record.runBranch,
    commit,
    mergeCommit: outcome.mergeCommit,
    ...(outcome.kind === 'already-merged' && { alreadyMerged: 'true' }),
    ...changesDetail(changes),
  };
}

/** A change as recorded stage detail: its files, counts and (capped) patch. */
export function changesDetail(changes: ChangeDescription): Record<string, string> {
  return {
    files: fileLines(changes.files),
    filesChanged: String(changes.files.length),
    insertions: String(changes.insertions),
    deletions: String(changes.deletions),
    diff: changes.patch,
    ...(changes.patchTruncated && { diffTruncated: 'true' }),
  };
}

/** `ai-collab: <what> of step <label>`, the step's task, and trailers naming run, step and attempt. */
export function commitMessage(
  context: Pick<StageContext, 'step' | 'attempt'>,
  run: RunWorkspace,
  kind: 'changes' | 'merge',
): string {
  const { step } = context;
  const title =
    kind === 'changes'
      ? `ai-collab: changes of step ${step.label}`
      : `ai-collab: merge step ${step.label} into run ${run.runId}`;
  const task = (step.prompt ?? step.description ?? step.run ?? '').trim().slice(0, 2_000);
  return `${title}\n\n${task === '' ? '' : `${task}\n\n`}${trailerLines(run.runId, step.id, context.attempt)}\n`;
}

/** Finished worktrees are removed; a failure to remove one is worth a warning, not the step. */
export async function prune(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  path: string,
  prepared: PreparedDetail,
  options: { keepBranch?: boolean } = {},
): Promise<void> {
  try {
    await removeWorktree(workspace.git, run.repo, workspace.repositoryLock, path);
    if (!options.keepBranch && prepared.branch) await deleteBranch(workspace, run, prepared.branch);
  } catch (error) {
    workspace.logger.warn('could not remove a finished step worktree', { path, error: errorMessage(error) });
  }
}

async function deleteBranch(workspace: WorkspaceContext, run: RunWorkspace, branch: string): Promise<void> {
  await workspace.repositoryLock.run(run.repo.commonDir, () =>
    workspace.git(['update-ref', '-d', `refs/heads/${branch}`], mainCheckout(run.repo)),
  );
}

export function internalFailure(message: string): StageResult {
  return { kind: 'failed', failure: { code: 'INTERNAL', kind: 'transient', message } };
}
