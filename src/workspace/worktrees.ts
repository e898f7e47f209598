/**
 * Creating, resetting and removing the orchestrator's worktrees. The repository's worktree list is
 * changed one call at a time (a lock per repository); checking files out happens outside the lock.
 * A worktree is always addressed by its administrative directory, found in the repository's own
 * `worktrees/` records, never through the `.git` file inside it (which the agent could rewrite).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { RepositoryInfo } from './git-repository.js';
import { mainCheckout } from './git-repository.js';
import type { Git, GitCall } from './git-runner.js';
import type { KeyedLock } from './keyed-lock.js';
import { WorkspaceError } from './workspace-error.js';

export interface WorktreeHandle {
  path: string;
  /** The worktree's administrative directory inside the repository's common git directory. */
  gitDir: string;
}

/**
 * Worktrees are reset with `reset --hard` and `clean -ffdx` and removed with `rm -r`: pointed at the user's
 * checkout (or a directory holding it) that would destroy their work. Every path is checked first.
 */
export function assertNotUserCheckout(repo: RepositoryInfo, path: string): void {
  const toCheckout = relative(resolve(path), resolve(repo.toplevel));
  const holdsCheckout =
    toCheckout === '' || (toCheckout !== '..' && !toCheckout.startsWith('../') && !isAbsolute(toCheckout));
  if (holdsCheckout || resolve(path) === resolve(repo.commonDir)) {
    throw new WorkspaceError(
      'GIT_FAILED',
      `refusing to use ${path} as a step worktree: it is (or holds) your checkout`,
    );
  }
}

export function worktreeCall(handle: WorktreeHandle): GitCall {
  return { cwd: handle.path, gitDir: handle.gitDir, workTree: handle.path };
}

/** The administrative directory git keeps for the worktree at `path`, if it is registered. */
export function findAdminDir(commonDir: string, path: string): string | undefined {
  const records = join(commonDir, 'worktrees');
  const wanted = new Set([join(path, '.git'), join(realOrSame(path), '.git')]);
  for (const name of listDirectory(records)) {
    try {
      const pointsTo = readFileSync(join(records, name, 'gitdir'), 'utf8').trim();
      if (wanted.has(pointsTo)) return join(records, name);
    } catch {
      // A record without a gitdir file is being created or removed by git: not ours to read.
    }
  }
  return undefined;
}

export interface WorktreeSpec {
  path: string;
  /** The branch the worktree is on (created or reset to `startCommit`); detached when absent. */
  branch?: string;
  startCommit: string;
  /** Keep files git ignores (installed dependencies, build output) when an existing worktree is reset. */
  keepIgnored?: boolean;
}

/**
 * Makes `spec.path` a clean checkout of `spec.startCommit` (on `spec.branch`): registers a new worktree,
 * or resets an existing one (local changes, untracked and (unless kept) ignored files, a half-done merge:
 * all gone).
 */
export async function ensureWorktree(
  git: Git,
  repo: RepositoryInfo,
  lock: KeyedLock,
  spec: WorktreeSpec,
): Promise<WorktreeHandle> {
  assertNotUserCheckout(repo, spec.path);
  const registered = await lock.run(repo.commonDir, async () => {
    const existing = findAdminDir(repo.commonDir, spec.path);
    if (existing && existsSync(spec.path)) return { gitDir: existing, fresh: false };
    if (existing) await git(['worktree', 'prune'], mainCheckout(repo));
    // Only ever our own directory (under the run's directory): a leftover that git does not know.
    if (existsSync(spec.path)) rmSync(spec.path, { recursive: true, force: true });
    mkdirSync(dirname(spec.path), { recursive: true, mode: 0o700 });
    const on = spec.branch === undefined ? ['--detach'] : ['-B', spec.branch];
    // --no-checkout: the files are written below, outside the repository lock.
    await git(
      ['worktree', 'add', '-q', '--no-checkout', ...on, spec.path, spec.startCommit],
      mainCheckout(repo),
    );
    const created = findAdminDir(repo.commonDir, spec.path);
    if (!created) throw new WorkspaceError('GIT_FAILED', `git did not register the worktree ${spec.path}`);
    return { gitDir: created, fresh: true };
  });
  const handle = { path: spec.path, gitDir: registered.gitDir };
  const call = worktreeCall(handle);
  // Also clears a half-done merge; in a new worktree it writes the files of the start commit.
  await git(['reset', '-q', '--hard'], call);
  if (!registered.fresh) {
    const on = spec.branch === undefined ? ['--detach'] : ['-B', spec.branch];
    await git(['checkout', '-q', '-f', ...on, spec.startCommit], call);
    await git(['clean', spec.keepIgnored ? '-ffdq' : '-ffdxq'], call);
  }
  return handle;
}

/** Removes a worktree and its registration. Links inside are removed, never followed. */
export async function removeWorktree(
  git: Git,
  repo: RepositoryInfo,
  lock: KeyedLock,
  path: string,
): Promise<void> {
  assertNotUserCheckout(repo, path);
  await lock.run(repo.commonDir, async () => {
    if (findAdminDir(repo.commonDir, path)) {
      await git(['worktree', 'remove', '--force', '--force', path], {
        ...mainCheckout(repo),
        okCodes: [0, 128],
      });
    }
    if (existsSync(path)) rmSync(path, { recursive: true, force: true });
    await git(['worktree', 'prune'], mainCheckout(repo));
  });
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
