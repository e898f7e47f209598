/**
 * `ai-collab discard RUN_ID`: removes what the run put in the repository: its worktrees, its run branch and
 * step branches, and its directory of records. The refs under `refs/ai-collab/<run>/` stay: one per merged
 * step, holding its result commit, so the step's diff can still be shown (see `stepResultRef`). The user's
 * checkout is not touched; a branch of the run that is checked out somewhere stops it before anything is
 * removed.
 */
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type RunBranchOptions, repositoryOf } from './apply-run.js';
import { mainCheckout } from './git-repository.js';
import type { Git } from './git-runner.js';
import { runDirectory, runRefPrefix } from './ref-names.js';
import { WorkspaceError } from './workspace-error.js';

export interface DiscardResult {
  removedBranches: string[];
  removedWorktrees: number;
  /** Whether the run branch's work was already on the user's HEAD (applied) when it was discarded. */
  wasApplied: boolean;
}

interface ListedWorktree {
  path: string;
  branch?: string;
}

export async function discardRun(git: Git, options: RunBranchOptions): Promise<DiscardResult> {
  const repo = await repositoryOf(git, options.workspace);
  const at = mainCheckout(repo);
  const prefix = runRefPrefix(options.runId);
  const refs = (await git(['for-each-ref', '--format=%(refname) %(objectname)', prefix], at)).stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== '');
  const dir = runDirectory(options.worktreesDir, options.runId);
  if (refs.length === 0 && !existsSync(dir)) {
    throw new WorkspaceError(
      'NO_RUN_BRANCH',
      `run ${options.runId} has no branch or worktrees here: nothing to discard`,
    );
  }
  const worktrees = listWorktrees((await git(['worktree', 'list', '--porcelain'], at)).stdout);
  // git lists real paths; the run's directory may be reached through a link.
  const realDir = existsSync(dir) ? realpathSync(dir) : dir;
  const inRun = (path: string): boolean => isInside(dir, path) || isInside(realDir, path);
  const ours = worktrees.filter((worktree) => inRun(worktree.path));
  const elsewhere = worktrees.filter(
    (worktree) => !inRun(worktree.path) && worktree.branch?.startsWith(prefix),
  );
  if (elsewhere.length > 0) {
    const where = elsewhere.map(
      (worktree) => `${worktree.branch?.slice('refs/heads/'.length)} in ${worktree.path}`,
    );
    throw new WorkspaceError(
      'NOT_APPLICABLE',
      `the run's branches are checked out (${where.join('; ')}); switch those checkouts to another branch first. Nothing was removed.`,
    );
  }
  const runRef = refs.find(([ref]) => ref === `${prefix}run`);
  const wasApplied =
    runRef !== undefined &&
    (await git(['merge-base', '--is-ancestor', runRef[1], 'HEAD'], { ...at, okCodes: [0, 1] })).code === 0;
  for (const worktree of ours) {
    await git(['worktree', 'remove', '--force', '--force', worktree.path], { ...at, okCodes: [0, 128] });
  }
  // Links inside (node_modules) are removed, not followed.
  rmSync(dir, { recursive: true, force: true });
  await git(['worktree', 'prune'], at);
  for (const [ref, commit] of refs) await git(['update-ref', '-d', ref, commit], at);
  return {
    removedBranches: refs.map(([ref]) => ref.slice('refs/heads/'.length)),
    removedWorktrees: ours.length,
    wasApplied,
  };
}

/** `git worktree list --porcelain`: blocks of `worktree <path>`, `HEAD <sha>`, `branch <ref>`. */
export function listWorktrees(output: string): ListedWorktree[] {
  const found: ListedWorktree[] = [];
  for (const block of output.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
    const branch = lines.find((line) => line.startsWith('branch '))?.slice('branch '.length);
    if (path) found.push({ path, ...(branch !== undefined && { branch }) });
  }
  return found;
}

function isInside(directory: string, path: string): boolean {
  const inside = relative(directory, path);
  return (
    inside !== '' && !inside.startsWith('..') && !inside.startsWith('/') && join(directory, inside) === path
  );
}
