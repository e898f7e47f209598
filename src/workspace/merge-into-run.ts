/**
 * Merges a step's commit into the run branch. The merge happens in the step's own (finished) worktree,
 * detached at the run branch's tip, and the branch is then moved by compare-and-swap: the user's
 * checkout is never involved, and the branch only ever moves to a commit that contains its old tip.
 * Callers hold the run's lock, so merges of one run happen one at a time, each on the latest tip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainCheckout } from './git-repository.js';
import type { Git } from './git-runner.js';
import { readTrailers } from './ref-names.js';
import { type RunWorkspace, runTip } from './run-workspace.js';
import { capText } from './step-changes.js';
import { WorkspaceError } from './workspace-error.js';
import { assertNotUserCheckout, type WorktreeHandle, worktreeCall } from './worktrees.js';

export interface ConflictFile {
  path: string;
  /** The file as the merge left it: both sides between conflict markers (cut at a size limit). */
  withMarkers: string;
  truncated: boolean;
  binary: boolean;
}

export type MergeOutcome =
  | { kind: 'merged'; mergeCommit: string; previousTip: string }
  /** The run branch already holds this step's work: an earlier attempt merged it before a crash. */
  | { kind: 'already-merged'; mergeCommit: string }
  | { kind: 'conflicted'; runTip: string; files: string[]; context: ConflictFile[] };

export interface MergeRequest {
  stepId: string;
  commit: string;
  /** The run branch's commit the step started from: landed merges are looked for after it. */
  startCommit: string;
  message: string;
}

const maxContextFiles = 20;
const maxContextBytesPerFile = 16 * 1024;

export async function mergeIntoRun(
  git: Git,
  run: RunWorkspace,
  worktree: WorktreeHandle,
  request: MergeRequest,
): Promise<MergeOutcome> {
  const tip = await runTip(git, run);
  const landed = await findLandedMerge(git, run, request.stepId, request.startCommit, tip);
  if (landed) return { kind: 'already-merged', mergeCommit: landed };
  assertNotUserCheckout(run.repo, worktree.path);
  const call = worktreeCall(worktree);
  // A conflict resolution leaves MERGE_HEAD behind; reset clears it (the work is committed already).
  await git(['reset', '-q', '--hard'], call);
  await git(['checkout', '-q', '-f', '--detach', tip], call);
  await git(['clean', '-ffdxq'], call);
  const merge = await git(
    ['merge', '--no-ff', '--no-edit', '--no-verify', '-m', request.message, request.commit],
    {
      ...call,
      okCodes: [0, 1],
    },
  );
  if (merge.code !== 0) {
    const unmerged = await git(['diff', '--name-only', '--diff-filter=U', '-z'], call);
    const files = unmerged.stdout.split('\0').filter((path) => path !== '');
    if (files.length === 0) {
      throw new WorkspaceError(
        'GIT_FAILED',
        `git merge failed: ${merge.stderr.trim() || merge.stdout.trim()}`,
      );
    }
    const context = files.slice(0, maxContextFiles).map((path) => conflictFile(worktree.path, path));
    await git(['merge', '--abort'], { ...call, okCodes: [0, 128] });
    return { kind: 'conflicted', runTip: tip, files, context };
  }
  const merged = (await git(['rev-parse', 'HEAD'], call)).stdout.trim();
  const moved = await git(['update-ref', `refs/heads/${run.record.runBranch}`, merged, tip], {
    ...mainCheckout(run.repo),
    okCodes: [0, 128],
  });
  if (moved.code !== 0) {
    throw new WorkspaceError(
      'RUN_BRANCH_MOVED',
      `the run's branch ${run.record.runBranch} was moved outside ai-collab while step ${request.stepId} merged`,
    );
  }
  return { kind: 'merged', mergeCommit: merged, previousTip: tip };
}

/** A merge of `stepId` on the run branch's first-parent line after `since`, if one landed. */
export async function findLandedMerge(
  git: Git,
  run: RunWorkspace,
  stepId: string,
  since: string,
  tip: string,
): Promise<string | undefined> {
  if (since === tip) return undefined;
  const log = await git(
    ['log', '--first-parent', '--format=%H%x1f%B%x1e', `${since}..${tip}`],
    mainCheckout(run.repo),
  );
  for (const entry of log.stdout.split('\x1e')) {
    const [hash, message] = entry.trim().split('\x1f');
    if (!hash || message === undefined) continue;
    const trailers = readTrailers(message);
    if (trailers?.runId === run.runId && trailers.stepId === stepId) return hash;
  }
  return undefined;
}

function conflictFile(root: string, path: string): ConflictFile {
  let content: Buffer;
  try {
    content = readFileSync(join(root, path));
  } catch {
    // Deleted on one side, changed on the other: there is no file to show, only the fact.
    return {
      path,
      withMarkers: '(deleted on one side, changed on the other)',
      truncated: false,
      binary: false,
    };
  }
  if (content.includes(0))
    return { path, withMarkers: '(binary file changed on both sides)', truncated: false, binary: true };
  const cut = capText(content.toString('utf8'), maxContextBytesPerFile);
  return { path, withMarkers: cut.text, truncated: cut.truncated, binary: false };
}
