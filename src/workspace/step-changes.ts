/**
 * What a step changed: its worktree committed as one commit on top of the step's start commit (whatever
 * the agent did to HEAD or the index meanwhile), and that commit described as files, counts and a patch.
 */
import type { Git, GitCall } from './git-runner.js';
import { type WorktreeHandle, worktreeCall } from './worktrees.js';

export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'type-changed' | 'other';

export interface FileChange {
  path: string;
  status: FileChangeStatus;
  /** Lines; 0 for binary files. */
  insertions: number;
  deletions: number;
  binary: boolean;
}

export interface ChangeDescription {
  files: FileChange[];
  insertions: number;
  deletions: number;
  /** The unified diff, cut at the size limit. */
  patch: string;
  patchTruncated: boolean;
}

export interface CommitOptions {
  /** Parents of the commit: the start commit first (and, for a conflict resolution, the other side). */
  parents: readonly string[];
  /** Paths (relative to the root) that were brought in and must never be committed. */
  exclude: readonly string[];
  message: string;
  /** Branch moved to the new commit. */
  branch?: string;
}

/**
 * Commits everything in the worktree (tracked changes and new files; ignored files stay out) as one
 * commit on `parents`. Returns undefined when the tree is the first parent's and there is nothing to
 * merge. Plumbing only (`write-tree`, `commit-tree`): no hooks, no editor, no signing can be involved.
 */
export async function commitWorktree(
  git: Git,
  worktree: WorktreeHandle,
  options: CommitOptions,
): Promise<string | undefined> {
  const call = worktreeCall(worktree);
  const [first, ...others] = options.parents;
  if (first === undefined) throw new Error('commitWorktree needs the start commit');
  const excluded = options.exclude.map((path) => `:(exclude,top,literal)${path}`);
  await git(['add', '-A', '--', '.', ...excluded], call);
  const tree = (await git(['write-tree'], call)).stdout.trim();
  const startTree = (await git(['rev-parse', `${first}^{tree}`], call)).stdout.trim();
  if (tree === startTree && others.length === 0) return undefined;
  const parents = options.parents.flatMap((parent) => ['-p', parent]);
  const commit = (
    await git(['commit-tree', tree, ...parents, '-F', '-'], { ...call, input: options.message })
  ).stdout.trim();
  if (options.branch !== undefined) await git(['update-ref', `refs/heads/${options.branch}`, commit], call);
  return commit;
}

const diffFlags = ['--no-ext-diff', '--no-textconv', '--no-renames', '--no-color'];

/** Files, line counts and the patch between two commits. */
export async function describeChanges(
  git: Git,
  at: GitCall,
  from: string,
  to: string,
  /** 0: files and counts only, no patch. */
  options: { maxPatchBytes: number },
): Promise<ChangeDescription> {
  const [numstat, nameStatus, patch] = await Promise.all([
    git(['diff', ...diffFlags, '--numstat', '-z', from, to], at),
    git(['diff', ...diffFlags, '--name-status', '-z', from, to], at),
    options.maxPatchBytes > 0 ? git(['diff', ...diffFlags, from, to], at) : Promise.resolve({ stdout: '' }),
  ]);
  const statuses = parseNameStatus(nameStatus.stdout);
  const files = parseNumstat(numstat.stdout).map((entry) => ({
    ...entry,
    status: statuses.get(entry.path) ?? 'other',
  }));
  const cut = capText(patch.stdout, options.maxPatchBytes);
  return {
    files,
    insertions: files.reduce((sum, file) => sum + file.insertions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    patch: cut.text,
    patchTruncated: cut.truncated,
  };
}

/** `--numstat -z` without renames: `added\tdeleted\tpath\0` (`-\t-\t` for binary files). */
export function parseNumstat(output: string): Array<Omit<FileChange, 'status'>> {
  const entries: Array<Omit<FileChange, 'status'>> = [];
  for (const record of output.split('\0')) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    const binary = match[1] === '-';
    entries.push({
      path: match[3] ?? '',
      insertions: binary ? 0 : Number(match[1]),
      deletions: binary ? 0 : Number(match[2]),
      binary,
    });
  }
  return entries;
}

/** `--name-status -z`: `M\0path\0…`. */
export function parseNameStatus(output: string): Map<string, FileChangeStatus> {
  const tokens = output.split('\0');
  const statuses = new Map<string, FileChangeStatus>();
  for (let index = 0; index + 1 < tokens.length; index += 2) {
    const letter = (tokens[index] ?? '').charAt(0);
    statuses.set(tokens[index + 1] ?? '', statusOf(letter));
  }
  return statuses;
}

function statusOf(letter: string): FileChangeStatus {
  switch (letter) {
    case 'A':
      return 'added';
    case 'M':
      return 'modified';
    case 'D':
      return 'deleted';
    case 'T':
      return 'type-changed';
    default:
      return 'other';
  }
}

/** Cuts at a line boundary below `maxBytes` (UTF-8), so a patch is never cut mid-character. */
export function capText(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  const lastNewline = cut.lastIndexOf('\n');
  return { text: lastNewline > 0 ? cut.slice(0, lastNewline + 1) : cut, truncated: true };
}

/** One line per file, `M path (+3 -1)`, for event details and summaries. */
export function fileLines(files: readonly FileChange[]): string {
  const letters: Record<FileChangeStatus, string> = {
    added: 'A',
    modified: 'M',
    deleted: 'D',
    'type-changed': 'T',
    other: '?',
  };
  return files
    .map(
      (file) =>
        `${letters[file.status]} ${file.path}${file.binary ? ' (binary)' : ` (+${file.insertions} -${file.deletions})`}`,
    )
    .join('\n');
}
