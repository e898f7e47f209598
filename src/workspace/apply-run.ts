/**
 * `ai-collab apply RUN_ID`: lands the run branch on the branch the user has checked out, by fast-forward
 * when it can and by a merge commit otherwise. It refuses, touching nothing, when the user has an
 * operation in progress, or uncommitted changes or untracked files where the run changes files; their
 * other uncommitted work stays as it is. A merge that conflicts is aborted, leaving the branch as it was.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertConfigTrusted } from './config-trust.js';
import { inspectRepository, mainCheckout, type RepositoryInfo } from './git-repository.js';
import type { Git, GitCall } from './git-runner.js';
import { runBranchName, runRefPrefix } from './ref-names.js';
import { readRunRecord } from './run-workspace.js';
import { describeChanges, type FileChange } from './step-changes.js';
import { WorkspaceError } from './workspace-error.js';

export interface ApplyResult {
  kind: 'fast-forward' | 'merged' | 'up-to-date';
  /** The user's branch, e.g. `main`. */
  branch: string;
  from: string;
  to: string;
  files: FileChange[];
}

export interface RunBranchOptions {
  /** The user's workspace (anywhere in their checkout). */
  workspace: string;
  runId: string;
  /** Where the run's record is (`<stateDir>/worktrees`), for the trusted git settings. */
  worktreesDir: string;
}

export async function applyRun(git: Git, options: RunBranchOptions): Promise<ApplyResult> {
  const repo = await repositoryOf(git, options.workspace);
  const at = mainCheckout(repo);
  const runBranch = runBranchName(options.runId);
  const tip = await git(['rev-parse', '--verify', '-q', `refs/heads/${runBranch}^{commit}`], {
    ...at,
    okCodes: [0, 1],
  });
  if (tip.code !== 0) {
    throw new WorkspaceError(
      'NO_RUN_BRANCH',
      `run ${options.runId} has no branch (${runBranch}): nothing to apply`,
    );
  }
  const target = tip.stdout.trim();
  const headRef = repo.headRef;
  if (headRef === undefined) {
    throw new WorkspaceError(
      'NOT_APPLICABLE',
      'HEAD is detached: check out the branch the run should land on, then apply',
    );
  }
  if (headRef.startsWith(runRefPrefix(options.runId))) {
    throw new WorkspaceError(
      'NOT_APPLICABLE',
      `you are on the run's own branch ${headRef}; check out your branch first`,
    );
  }
  assertNothingInProgress(repo);
  const record = readRunRecord(options.worktreesDir, options.runId);
  if (record) await assertConfigTrusted(git, at, record.trustedConfig);
  const branch = headRef.slice('refs/heads/'.length);
  const head = repo.headCommit;
  if (await isAncestor(git, repo, target, head))
    return { kind: 'up-to-date', branch, from: head, to: head, files: [] };
  const fastForward = await isAncestor(git, repo, head, target);
  await assertNothingInTheWay(git, repo, head, target, fastForward);
  if (fastForward) {
    await git(['merge', '--ff-only', '--no-verify', target], at);
  } else {
    const merged = await git(
      ['merge', '--no-ff', '--no-edit', '--no-verify', '-m', `ai-collab: apply run ${options.runId}`, target],
      { ...at, okCodes: [0, 1] },
    );
    if (merged.code !== 0) await abortConflictedMerge(git, repo, runBranch);
  }
  const now = (await git(['rev-parse', 'HEAD'], at)).stdout.trim();
  const changes = await describeChanges(git, at, head, now, { maxPatchBytes: 0 });
  return { kind: fastForward ? 'fast-forward' : 'merged', branch, from: head, to: now, files: changes.files };
}

/**
 * Uncommitted work of the user in a file the run changes (since the two branches parted) would be
 * overwritten or mixed into the merge: refused, naming the files. Changes elsewhere are left alone, as git
 * itself leaves them, except staged ones when a merge commit is needed (git makes none over a changed index).
 */
async function assertNothingInTheWay(
  git: Git,
  repo: RepositoryInfo,
  head: string,
  target: string,
  fastForward: boolean,
) {
  const at = mainCheckout(repo);
  const base = (await git(['merge-base', head, target], at)).stdout.trim();
  const [runFiles, changed, staged, untracked] = await Promise.all([
    nulList(git, ['diff', '--name-only', '--no-renames', '-z', base, target], at),
    nulList(git, ['diff', '--name-only', '--no-renames', '-z', 'HEAD', '--'], at),
    fastForward
      ? Promise.resolve([])
      : nulList(git, ['diff', '--cached', '--name-only', '--no-renames', '-z', 'HEAD', '--'], at),
    nulList(git, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z'], at),
  ]);
  const touched = new Set(runFiles);
  const stagedSet = new Set(staged);
  const changedInTheWay = changed.filter((path) => touched.has(path) || stagedSet.has(path));
  // A directory of the user's where the run adds a file, or the other way round, is in the way too.
  const untrackedInTheWay = untracked.filter((path) =>
    runFiles.some((file) => file === path || file.startsWith(`${path}/`) || path.startsWith(`${file}/`)),
  );
  if (changedInTheWay.length === 0 && untrackedInTheWay.length === 0) return;
  const parts: string[] = [];
  if (changedInTheWay.length > 0)
    parts.push(
      `uncommitted changes in ${listed(changedInTheWay)}${staged.length > 0 ? ' (staged changes stop a merge commit)' : ''}: commit or stash them (git stash)`,
    );
  if (untrackedInTheWay.length > 0)
    parts.push(
      `untracked files the run would overwrite: ${listed(untrackedInTheWay)}: move or remove them (or commit them)`,
    );
  throw new WorkspaceError(
    'DIRTY_WORKING_TREE',
    `the run changes files you have work in: ${parts.join('; ')}; then apply again. Nothing was changed.`,
    { details: { changed: changedInTheWay, untracked: untrackedInTheWay } },
  );
}

async function nulList(git: Git, args: string[], at: GitCall): Promise<string[]> {
  return (await git(args, at)).stdout.split('\0').filter((path) => path !== '');
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, 20).join(', ');
  return paths.length > 20 ? `${shown} and ${paths.length - 20} more` : shown;
}

async function abortConflictedMerge(git: Git, repo: RepositoryInfo, runBranch: string): Promise<never> {
  const at = mainCheckout(repo);
  const unmerged = await git(['diff', '--name-only', '--diff-filter=U', '-z'], at);
  const files = unmerged.stdout.split('\0').filter((path) => path !== '');
  // No file of the merge had uncommitted changes, so aborting restores exactly the user's branch and
  // keeps their unrelated edits.
  await git(['merge', '--abort'], { ...at, okCodes: [0, 128] });
  throw new WorkspaceError(
    'NOT_APPLICABLE',
    files.length > 0
      ? `the run's changes conflict with your branch in ${files.join(', ')}; nothing was changed. Merge it yourself: git merge ${runBranch}`
      : `git could not merge ${runBranch}; nothing was changed`,
    { details: { files } },
  );
}

export async function repositoryOf(git: Git, workspace: string): Promise<RepositoryInfo> {
  const lookup = await inspectRepository(git, workspace);
  if (lookup.kind === 'off')
    throw new WorkspaceError('NO_RUN_BRANCH', `no run branches here: ${lookup.reason}`);
  return lookup.info;
}

async function isAncestor(git: Git, repo: RepositoryInfo, ancestor: string, of: string): Promise<boolean> {
  const result = await git(['merge-base', '--is-ancestor', ancestor, of], {
    ...mainCheckout(repo),
    okCodes: [0, 1],
  });
  return result.code === 0;
}

const inProgressMarkers = [
  'MERGE_HEAD',
  'CHERRY_PICK_HEAD',
  'REVERT_HEAD',
  'rebase-merge',
  'rebase-apply',
  'BISECT_LOG',
];

function assertNothingInProgress(repo: RepositoryInfo): void {
  const found = inProgressMarkers.filter((name) => existsSync(join(repo.gitDir, name)));
  if (found.length > 0) {
    throw new WorkspaceError(
      'NOT_APPLICABLE',
      `a git operation is in progress in your checkout (${found.join(', ')}); finish or abort it, then apply`,
    );
  }
}
