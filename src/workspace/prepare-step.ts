/**
 * Before each attempt: the directory the step works in. A code-changing step gets its worktree on its
 * own branch, created from the run branch as it stands when the step first starts, so it sees its
 * dependencies' merged work. Every later attempt (a retry, or a re-run after a crash) starts from a
 * reset of that same worktree to that same recorded commit, so nothing of an earlier attempt remains.
 */
import { join } from 'node:path';
import type { StepHookContext } from '../engine/step-hooks.js';
import { bringIn } from './bring-in.js';
import { assertConfigTrusted } from './config-trust.js';
import { readResolution } from './conflict-records.js';
import { mainCheckout } from './git-repository.js';
import { encodePrepared, type PreparedDetail, readPrepared } from './prepared-detail.js';
import { stepBranchName, stepWorktreePath } from './ref-names.js';
import { reproduceConflict } from './resolution-step.js';
import { type RunWorkspace, runTip } from './run-workspace.js';
import type { WorkspaceContext } from './workspace-context.js';
import { ensureWorktree } from './worktrees.js';

export interface PreparedStep {
  cwd: string;
  detail: Record<string, string>;
}

export async function prepareIsolatedStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StepHookContext,
): Promise<PreparedStep> {
  const { git } = workspace;
  const stepId = context.step.id;
  await assertConfigTrusted(git, mainCheckout(run.repo), run.record.trustedConfig);
  const path = stepWorktreePath(workspace.worktreesDir, run.runId, stepId);
  const previous = readPrepared(context.state.steps[stepId]?.workspaceDetail);
  const resolution = readResolution(run.dir, stepId);
  // A code-changing step keeps the start it was given first; candidates of one step share theirs.
  const startCommit =
    previous?.isolation === 'worktree' && previous.worktree === path && previous.startCommit
      ? previous.startCommit
      : (siblingStart(context) ?? (await runTip(git, run)));
  const branch = stepBranchName(run.runId, stepId);
  const handle = await ensureWorktree(git, run.repo, workspace.repositoryLock, { path, startCommit, branch });
  if (resolution) await reproduceConflict(git, handle, resolution);
  const broughtIn = bringIn(run.repo.toplevel, path, workspace.bringIn);
  const detail: PreparedDetail = {
    isolation: 'worktree',
    worktree: path,
    gitDir: handle.gitDir,
    startCommit,
    runBranch: run.record.runBranch,
    baseCommit: run.record.baseCommit,
    broughtIn,
    branch,
    ...(resolution && { resolves: resolution.stepId, mergeHead: resolution.stepCommit }),
  };
  workspace.logger.debug('step worktree prepared', { runId: run.runId, stepId, startCommit });
  return { cwd: run.repo.prefix === '' ? path : join(path, run.repo.prefix), detail: encodePrepared(detail) };
}

/** The start commit a candidate's sibling was given, so every candidate of a step starts from the same one. */
function siblingStart(context: StepHookContext): string | undefined {
  const parentId = context.step.candidateOf;
  if (parentId === undefined) return undefined;
  for (const id of context.state.steps[parentId]?.candidates ?? []) {
    const start = readPrepared(context.state.steps[id]?.workspaceDetail)?.startCommit;
    if (id !== context.step.id && start) return start;
  }
  return undefined;
}
