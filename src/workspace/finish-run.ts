/**
 * When a run has ended: work of steps that did not merge is saved as a commit on the step's branch (never
 * lost), every worktree of the run is removed (the integration worktree too: what a failed step wrote
 * there, uncommitted, goes with it), and the summary says what landed on the run branch, step
 * by step. A run branch nothing landed on (and no step branch kept) is removed with its directory.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState, StepState } from '../engine/run-state.js';
import { errorMessage } from '../support/errors.js';
import { assertConfigTrusted } from './config-trust.js';
import { mainCheckout } from './git-repository.js';
import { readPrepared } from './prepared-detail.js';
import { integrationWorktreePath, landingWorktreePath, runRefPrefix, trailerLines } from './ref-names.js';
import { type RunWorkspaceSummary, summarizeRunBranch } from './run-summary.js';
import { type RunWorkspace, runTip } from './run-workspace.js';
import { commitWorktree } from './step-changes.js';
import type { WorkspaceContext } from './workspace-context.js';
import { assertNotUserCheckout, findAdminDir, removeWorktree, worktreeCall } from './worktrees.js';

export async function finishRunWorkspace(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  state: Readonly<RunState>,
): Promise<RunWorkspaceSummary> {
  for (const id of state.order) {
    const step = state.steps[id];
    if (step) await settleWorktree(workspace, run, step);
  }
  for (const shared of [
    integrationWorktreePath(workspace.worktreesDir, run.runId),
    landingWorktreePath(workspace.worktreesDir, run.runId),
  ]) {
    if (existsSync(shared)) await removeWorktree(workspace.git, run.repo, workspace.repositoryLock, shared);
  }
  const head = await runTip(workspace.git, run);
  await workspace.repositoryLock.run(run.repo.commonDir, async () => {
    await workspace.git(['worktree', 'prune'], mainCheckout(run.repo));
    await deleteMergedStepBranches(workspace, run, head);
  });
  const summary = await summarizeRunBranch(workspace.git, run);
  // Nothing landed, nothing kept on a branch, no worktree left behind (one whose work could not be saved).
  if (head === run.record.baseCommit && summary.steps.length === 0 && !hasEntries(join(run.dir, 'steps'))) {
    await workspace.repositoryLock.run(run.repo.commonDir, () =>
      workspace.git(['update-ref', '-d', `refs/heads/${run.record.runBranch}`, head], mainCheckout(run.repo)),
    );
    rmSync(run.dir, { recursive: true, force: true });
    return { ...summary, removed: true };
  }
  return summary;
}

/** Saves what an unmerged step left in its worktree, then removes the worktree. */
async function settleWorktree(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  step: StepState,
): Promise<void> {
  const prepared = readPrepared(step.workspaceDetail);
  if (!prepared?.worktree || (prepared.isolation !== 'worktree' && prepared.isolation !== 'view')) return;
  if (!existsSync(prepared.worktree)) return;
  const gitDir = findAdminDir(run.repo.commonDir, prepared.worktree);
  try {
    if (
      gitDir &&
      prepared.isolation === 'worktree' &&
      prepared.startCommit &&
      prepared.branch &&
      step.status !== 'succeeded'
    ) {
      const worktree = { path: prepared.worktree, gitDir };
      assertNotUserCheckout(run.repo, worktree.path);
      await assertConfigTrusted(workspace.git, worktreeCall(worktree), run.record.trustedConfig);
      await commitWorktree(workspace.git, worktree, {
        parents: [prepared.startCommit],
        exclude: prepared.broughtIn,
        message: `ai-collab: unfinished work of step ${step.label} (${step.status})\n\n${trailerLines(run.runId, step.id, step.attempts)}\n`,
        branch: prepared.branch,
      });
    }
    await removeWorktree(workspace.git, run.repo, workspace.repositoryLock, prepared.worktree);
  } catch (error) {
    // Kept as it is: a worktree whose work could not be saved is not deleted.
    workspace.logger.warn('kept a step worktree whose work could not be saved', {
      stepId: step.id,
      path: prepared.worktree,
      error: errorMessage(error),
    });
  }
}

/** Step branches holding nothing the run branch lacks (merged, or never committed to) are removed. */
async function deleteMergedStepBranches(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  head: string,
): Promise<void> {
  const at = mainCheckout(run.repo);
  const refs = await workspace.git(
    ['for-each-ref', '--format=%(refname) %(objectname)', `${runRefPrefix(run.runId)}steps/`],
    at,
  );
  for (const line of refs.stdout.split('\n')) {
    const [ref, commit] = line.split(' ');
    if (!ref || !commit) continue;
    const merged = await workspace.git(['merge-base', '--is-ancestor', commit, head], {
      ...at,
      okCodes: [0, 1],
    });
    if (merged.code === 0) await workspace.git(['update-ref', '-d', ref, commit], at);
  }
}

function hasEntries(directory: string): boolean {
  return existsSync(directory) && readdirSync(directory).length > 0;
}
