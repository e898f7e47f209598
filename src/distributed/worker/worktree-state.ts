/**
 * What an attempt left in its worktree, from one `git status`: the commit checked out (an agent may have
 * committed), whether anything differs from it that `git add -A` would take, and whether ignored files
 * were left (not part of the result, but a reused worktree must not show them to the next attempt).
 */
import type { Git, GitCall } from '../../workspace/git-runner.js';

export interface WorktreeState {
  head: string;
  changed: boolean;
  ignored: boolean;
}

export async function readWorktreeState(git: Git, call: GitCall): Promise<WorktreeState> {
  const status = await git(
    ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=matching'],
    call,
  );
  let head = '';
  let changed = false;
  let ignored = false;
  for (const record of status.stdout.split('\0')) {
    if (record.startsWith('# branch.oid ')) head = record.slice('# branch.oid '.length);
    else if (record.startsWith('! ')) ignored = true;
    // Ordinary, renamed, unmerged and untracked entries ('1', '2', 'u', '?'); a rename's second path
    // follows as its own record and may start with anything, but its entry already counted.
    else if (/^[12u?] /.test(record)) changed = true;
  }
  return { head, changed, ignored };
}
