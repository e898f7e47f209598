/**
 * "Never trust configuration an agent wrote." Agents run inside the repository and can write its
 * `.git/config`. The settings git would execute (filters, merge drivers, fsmonitor, …) are snapshotted
 * when the run starts; before the orchestrator runs git where such a setting could fire (checkout, add,
 * merge), any executable setting that is new since then stops it. The user's own settings keep working.
 */
import type { Git, GitCall } from './git-runner.js';
import { WorkspaceError } from './workspace-error.js';

/** Keys (lower-cased) whose value git runs as a program, or that change what git runs or where. */
const executableKey =
  /^(core\.(fsmonitor|hookspath|sshcommand|editor|pager|askpass|gitproxy|alternaterefscommand|worktree|attributesfile)|sequence\.editor|diff\.external|diff\..+\.(command|textconv)|merge\..+\.driver|filter\..+\.(clean|smudge|process|required)|gpg\.(.+\.)?program|credential\.(.+\.)?helper|pager\..+|alias\..+|include\.path|includeif\..+\.path|uploadpack\.packobjectshook|remote\..+\.(uploadpack|receivepack|vcs)|submodule\..+\.update|interactive\.difffilter|extensions\..+)$/;

export function isExecutableConfigKey(key: string): boolean {
  return executableKey.test(key.toLowerCase());
}

/**
 * The executable settings git sees from `at` (every file, includes followed; not the orchestrator's own
 * `-c` settings), as sorted `scope:key=value` lines.
 */
export async function readExecutableConfig(git: Git, at: GitCall): Promise<string[]> {
  const { stdout } = await git(['config', '--list', '-z', '--includes', '--show-scope'], {
    ...at,
    // 1: no configuration at all.
    okCodes: [0, 1],
  });
  const tokens = stdout.split('\0');
  const entries: string[] = [];
  for (let index = 0; index + 1 < tokens.length; index += 2) {
    const scope = tokens[index] ?? '';
    const entry = tokens[index + 1] ?? '';
    if (scope === 'command') continue;
    const newline = entry.indexOf('\n');
    const key = newline === -1 ? entry : entry.slice(0, newline);
    const value = newline === -1 ? '' : entry.slice(newline + 1);
    // The scope of the main checkout (local) and of a linked worktree differ only by the worktree file;
    // the entry is what matters.
    if (isExecutableConfigKey(key)) entries.push(`${key.toLowerCase()}=${value}`);
  }
  return [...new Set(entries)].sort();
}

/** Entries present now that were not in the snapshot. */
export function untrustedEntries(snapshot: readonly string[], current: readonly string[]): string[] {
  const known = new Set(snapshot);
  return current.filter((entry) => !known.has(entry));
}

export async function assertConfigTrusted(git: Git, at: GitCall, snapshot: readonly string[]): Promise<void> {
  const added = untrustedEntries(snapshot, await readExecutableConfig(git, at));
  if (added.length === 0) return;
  throw new WorkspaceError(
    'UNTRUSTED_GIT_CONFIG',
    `git configuration that runs programs appeared during the run (${added
      .map((entry) => entry.slice(0, entry.indexOf('=')))
      .join(', ')}); an agent may have written it, so ai-collab will not run git here. ` +
      'Check `git config --list --show-origin` and remove what you did not add before running ai-collab here again.',
    { details: { entries: added } },
  );
}
