/**
 * A run's place in the repository: its branch, created from the user's HEAD when the run starts (the base
 * commit is recorded), the directory its worktrees live in, and the executable git settings trusted at
 * the start. The record is a small JSON file next to the worktrees, written once.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../support/clock.js';
import { readExecutableConfig } from './config-trust.js';
import { inspectRepository, mainCheckout, type RepositoryInfo } from './git-repository.js';
import type { Git } from './git-runner.js';
import { readJsonFile, writeJsonAtomically } from './json-file.js';
import { runBranchName, runDirectory } from './ref-names.js';
import { WorkspaceError } from './workspace-error.js';

// Read back when the run resumes or is applied: parsed, never cast, so a damaged record is refused by name
// instead of steering git with whatever it holds.
const runRecordSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  runBranch: z.string(),
  /** The user's HEAD when the run started: the run branch's first commit. */
  baseCommit: z.string(),
  /** The branch the user was on (`refs/heads/…`), if any. */
  baseRef: z.string().optional(),
  createdAt: z.number(),
  /** Executable git settings as they were at the start (see config-trust.ts). */
  trustedConfig: z.array(z.string()),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

export interface RunWorkspace {
  runId: string;
  repo: RepositoryInfo;
  record: RunRecord;
  /** `<worktreesDir>/<runId>`: step worktrees, the run record, conflict records. */
  dir: string;
}

export type RunWorkspaceLookup = { kind: 'git'; run: RunWorkspace } | { kind: 'off'; reason: string };

const recordFile = 'run.json';

/**
 * Opens the run's workspace, creating its branch at the user's HEAD the first time. Idempotent: a resumed
 * run (in another process) finds its record and branch as they were.
 */
export async function openRunWorkspace(
  deps: { git: Git; clock: Clock },
  options: { workspace: string; runId: string; worktreesDir: string },
): Promise<RunWorkspaceLookup> {
  const { git } = deps;
  const lookup = await inspectRepository(git, options.workspace);
  if (lookup.kind === 'off') return lookup;
  const repo = lookup.info;
  const dir = runDirectory(options.worktreesDir, options.runId);
  const existing = readRunRecord(options.worktreesDir, options.runId);
  if (existing) {
    await runTip(git, { repo, record: existing });
    return { kind: 'git', run: { runId: options.runId, repo, record: existing, dir } };
  }
  const runBranch = runBranchName(options.runId);
  const record: RunRecord = {
    version: 1,
    runId: options.runId,
    runBranch,
    baseCommit: repo.headCommit,
    ...(repo.headRef !== undefined && { baseRef: repo.headRef }),
    createdAt: deps.clock.now(),
    trustedConfig: await readExecutableConfig(git, mainCheckout(repo)),
  };
  // The empty old value makes this create-only: an existing branch of that name is never moved.
  await git(['update-ref', `refs/heads/${runBranch}`, repo.headCommit, ''], mainCheckout(repo));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  excludeLocally(repo, options.worktreesDir);
  writeJsonAtomically(join(dir, recordFile), record);
  return { kind: 'git', run: { runId: options.runId, repo, record, dir } };
}

export function readRunRecord(worktreesDir: string, runId: string): RunRecord | undefined {
  const path = join(runDirectory(worktreesDir, runId), recordFile);
  const value = readJsonFile(path);
  if (value === undefined) return undefined;
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success)
    throw new WorkspaceError('GIT_FAILED', `${path} is not a run record this version understands`);
  return parsed.data;
}

/** The run branch's current commit. */
export async function runTip(git: Git, run: Pick<RunWorkspace, 'repo' | 'record'>): Promise<string> {
  const found = await git(['rev-parse', '--verify', '-q', `refs/heads/${run.record.runBranch}^{commit}`], {
    ...mainCheckout(run.repo),
    okCodes: [0, 1],
  });
  if (found.code !== 0) {
    throw new WorkspaceError(
      'RUN_BRANCH_MOVED',
      `the run's branch ${run.record.runBranch} is gone; it was deleted outside ai-collab, so the run cannot continue`,
    );
  }
  return found.stdout.trim();
}

/**
 * Keeps the worktrees out of the user's `git status` through the repository-local exclude file (never
 * their `.gitignore`), unless an existing line already covers them.
 */
function excludeLocally(repo: RepositoryInfo, worktreesDir: string): void {
  const inside = relative(repo.toplevel, worktreesDir);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
  const entry = `/${inside.split('\\').join('/')}/`;
  const exclude = join(repo.commonDir, 'info', 'exclude');
  try {
    const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    const covered = current
      .split('\n')
      .map((line) => line.trim())
      .some((line) => line.startsWith('/') && line.endsWith('/') && entry.startsWith(line));
    if (covered) return;
    mkdirSync(dirname(exclude), { recursive: true });
    appendFileSync(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}${entry}\n`);
  } catch {
    // An unwritable exclude file only makes `git status` noisier; it is no reason to refuse to run.
  }
}
