/**
 * Steps without a worktree of their own in a run that has a run branch (shell steps, read/analyze/validate
 * agent steps): they work in the run's integration worktree, a checkout of the run branch as it stands
 * when they start (see integration-gate.ts), never in the user's checkout. When one succeeds, whatever the
 * worktree holds that git does not ignore and no earlier commit holds is committed as that step's change
 * and merged into the run branch, under the run's lock like every merge. Steps inside at the same time
 * share their writes: each commit takes everything written so far, so a file another step is still
 * writing lands with whichever of them ends first (and again, finished, with the other).
 */
import { join } from 'node:path';
import type { SetupReport, StageContext, StageResult, StepHookContext } from '../engine/step-hooks.js';
import { bringIn } from './bring-in.js';
import { assertConfigTrusted } from './config-trust.js';
import { mainCheckout } from './git-repository.js';
import type { GitCall } from './git-runner.js';
import type { IntegrationGate } from './integration-gate.js';
import { mergeIntoRun } from './merge-into-run.js';
import { commitMessage, internalFailure, keepResult, mergedDetail } from './merge-stage.js';
import { encodePrepared, type PreparedDetail, readPrepared } from './prepared-detail.js';
import { integrationWorktreePath, landingWorktreePath, stepBranchName } from './ref-names.js';
import { type RunWorkspace, runTip } from './run-workspace.js';
import { commitWorktree, describeChanges } from './step-changes.js';
import type { WorkspaceContext } from './workspace-context.js';
import {
  assertNotUserCheckout,
  ensureWorktree,
  findAdminDir,
  type WorktreeHandle,
  worktreeCall,
} from './worktrees.js';

export interface IntegrationWorktree {
  handle: WorktreeHandle;
  broughtIn: string[];
}

export type IntegrationGateOfRun = IntegrationGate<IntegrationWorktree>;

export async function prepareIntegrationStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StepHookContext,
  gate: IntegrationGateOfRun,
  /** Run while the worktree is brought up and nobody is inside (`workspace.setup`), when it is due. */
  whileEmpty?: (cwd: string) => Promise<SetupReport | undefined>,
): Promise<{ cwd: string; detail: Record<string, string>; release: () => void; setup?: SetupReport }> {
  const { git } = workspace;
  await assertConfigTrusted(git, mainCheckout(run.repo), run.record.trustedConfig);
  const path = integrationWorktreePath(workspace.worktreesDir, run.runId);
  const cwd = run.repo.prefix === '' ? path : join(path, run.repo.prefix);
  let setup: SetupReport | undefined;
  const entry = await gate.enter(
    () => runTip(git, run),
    async (tip) => {
      // Ignored files stay: what `npm ci` or a build put there is there for the steps after it.
      const handle = await ensureWorktree(git, run.repo, workspace.repositoryLock, {
        path,
        startCommit: tip,
        keepIgnored: true,
      });
      const broughtIn = bringIn(run.repo.toplevel, path, workspace.bringIn);
      setup = await whileEmpty?.(cwd);
      return { handle, broughtIn };
    },
  );
  const detail: PreparedDetail = {
    isolation: 'integration',
    worktree: path,
    gitDir: entry.synced.handle.gitDir,
    startCommit: entry.startCommit,
    runBranch: run.record.runBranch,
    baseCommit: run.record.baseCommit,
    broughtIn: entry.synced.broughtIn,
  };
  workspace.logger.debug('step joins the integration worktree', {
    runId: run.runId,
    stepId: context.step.id,
    startCommit: entry.startCommit,
  });
  return { cwd, detail: encodePrepared(detail), release: entry.leave, ...(setup && { setup }) };
}

/** Commits what the step left in the integration worktree and merges it into the run branch. */
export async function landIntegrationStep(
  workspace: WorkspaceContext,
  run: RunWorkspace,
  context: StageContext,
  gate: IntegrationGateOfRun,
): Promise<StageResult> {
  const { git } = workspace;
  const { step } = context;
  const prepared = readPrepared(context.state.steps[step.id]?.workspaceDetail);
  if (prepared?.isolation !== 'integration' || !prepared.worktree)
    return internalFailure(`step ${step.id} has no recorded integration worktree`);
  const gitDir = findAdminDir(run.repo.commonDir, prepared.worktree);
  if (!gitDir) return internalFailure(`the integration worktree (${prepared.worktree}) is gone`);
  const worktree: WorktreeHandle = { path: prepared.worktree, gitDir };
  assertNotUserCheckout(run.repo, worktree.path);
  const call = worktreeCall(worktree);
  await assertConfigTrusted(git, call, run.record.trustedConfig);
  // One commit or merge of the run at a time: the worktree's index is shared by the steps inside.
  return workspace.runLock.run(run.runId, async (): Promise<StageResult> => {
    // The gate's record, not HEAD: a step may have committed or checked out something itself.
    const head =
      gate.showing() ?? (await git(['rev-parse', '--verify', 'HEAD^{commit}'], call)).stdout.trim();
    const commit = await commitWorktree(git, worktree, {
      parents: [head],
      exclude: prepared.broughtIn,
      message: commitMessage(context, run, 'changes'),
    });
    if (commit === undefined)
      return { kind: 'passed', detail: { changed: 'false', runBranch: run.record.runBranch } };
    // The files are that commit now: the next step inside commits only what it adds.
    await git(['reset', '-q', '--soft', commit], call);
    gate.shows(commit);
    const changes = await describeChanges(git, call, head, commit, {
      maxPatchBytes: workspace.maxPatchBytes,
    });
    const landing = await ensureWorktree(git, run.repo, workspace.repositoryLock, {
      path: landingWorktreePath(workspace.worktreesDir, run.runId),
      startCommit: await runTip(git, run),
    });
    const outcome = await mergeIntoRun(git, run, landing, {
      stepId: step.id,
      commit,
      startCommit: head,
      message: commitMessage(context, run, 'merge'),
    });
    if (outcome.kind === 'conflicted') {
      const branch = stepBranchName(run.runId, step.id);
      await git(['update-ref', `refs/heads/${branch}`, commit], mainCheckout(run.repo));
      return {
        kind: 'conflicted',
        files: outcome.files,
        message: `what step ${step.label} wrote conflicts with the run branch in ${outcome.files.join(', ')}; it is kept on branch ${branch} (${commit.slice(0, 12)})`,
      };
    }
    // Nothing else landed meanwhile: the merge holds exactly these files, and newcomers may join at once.
    if (await sameTree(workspace, call, outcome.mergeCommit, commit)) {
      await git(['reset', '-q', '--soft', outcome.mergeCommit], call);
      gate.shows(outcome.mergeCommit);
    }
    await keepResult(workspace, run, step.id, commit);
    return {
      kind: 'passed',
      detail: mergedDetail(run, commit, outcome, changes),
      change: { startCommit: head, resultCommit: commit },
    };
  });
}

async function sameTree(
  workspace: WorkspaceContext,
  call: GitCall,
  one: string,
  other: string,
): Promise<boolean> {
  const trees = await workspace.git(['rev-parse', `${one}^{tree}`, `${other}^{tree}`], call);
  const [first, second] = trees.stdout.trim().split('\n');
  return first !== undefined && first === second;
}
