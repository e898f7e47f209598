/** Finds the git repository a workspace belongs to, or says in words why isolation is off. */
import { isAbsolute, resolve } from 'node:path';
import type { Git } from './git-runner.js';
import { isWorkspaceError } from './workspace-error.js';

export interface RepositoryInfo {
  /** Root of the user's checkout. */
  toplevel: string;
  /** The user's checkout's git directory (`.git`, or a linked worktree's administrative directory). */
  gitDir: string;
  /** Where objects, refs and `worktrees/` live (the same as gitDir outside linked worktrees). */
  commonDir: string;
  /** The workspace relative to `toplevel` ('' at the root): steps work in the same subdirectory. */
  prefix: string;
  headCommit: string;
  /** `refs/heads/<name>` of the checked-out branch; undefined on a detached HEAD. */
  headRef?: string;
  gitVersion: string;
}

export type RepositoryLookup = { kind: 'git'; info: RepositoryInfo } | { kind: 'off'; reason: string };

/** The oldest git whose worktree and merge behaviour this room relies on. */
export const minimumGitVersion = [2, 30] as const;

export async function inspectRepository(git: Git, workspace: string): Promise<RepositoryLookup> {
  let version: string;
  try {
    version = (await git(['--version'], { cwd: workspace })).stdout.trim();
  } catch (error) {
    return {
      kind: 'off',
      reason: `git is not available (${isWorkspaceError(error) ? error.message : String(error)})`,
    };
  }
  const gitVersion = /(\d+\.\d+(?:\.\d+)?)/.exec(version)?.[1] ?? '0.0';
  if (!atLeast(gitVersion, minimumGitVersion)) {
    return { kind: 'off', reason: `git ${gitVersion} is older than ${minimumGitVersion.join('.')}` };
  }
  const located = await git(
    [
      'rev-parse',
      '--is-bare-repository',
      '--show-toplevel',
      '--absolute-git-dir',
      '--git-common-dir',
      '--show-prefix',
    ],
    { cwd: workspace, okCodes: [0, 128] },
  );
  if (located.code !== 0) {
    // "dubious ownership" and the like are worth saying as git said them.
    const said = located.stderr.trim().split('\n')[0] ?? '';
    return {
      kind: 'off',
      reason:
        /not a git repository/i.test(said) || said === ''
          ? `${workspace} is not in a git repository`
          : `git cannot use the repository here: ${said}`,
    };
  }
  const [bare, toplevel, gitDir, commonDir, prefix] = located.stdout.split('\n');
  if (bare === 'true' || !toplevel || !gitDir || !commonDir) {
    return {
      kind: 'off',
      reason: `${workspace} is not in a git checkout (a bare repository has no work tree)`,
    };
  }
  const head = await git(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], {
    cwd: workspace,
    okCodes: [0, 1],
  });
  if (head.code !== 0) {
    return {
      kind: 'off',
      reason: 'the repository has no commits yet (make a first commit to get isolated steps)',
    };
  }
  const symbolic = await git(['symbolic-ref', '-q', 'HEAD'], { cwd: workspace, okCodes: [0, 1] });
  const headRef = symbolic.code === 0 ? symbolic.stdout.trim() : undefined;
  return {
    kind: 'git',
    info: {
      toplevel,
      gitDir,
      commonDir: isAbsolute(commonDir) ? commonDir : resolve(workspace, commonDir),
      prefix: (prefix ?? '').replace(/\/$/, ''),
      headCommit: head.stdout.trim(),
      ...(headRef !== undefined && headRef !== '' && { headRef }),
      gitVersion,
    },
  };
}

export function atLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/** The `git` call location of the user's checkout (read-only use only: the user's tree is never written). */
export function mainCheckout(info: RepositoryInfo): { cwd: string; gitDir: string; workTree: string } {
  return { cwd: info.toplevel, gitDir: info.gitDir, workTree: info.toplevel };
}
