/**
 * What a run produced, read from git alone (so it is right after a crash, a resume or by another
 * process): the step merges on the run branch's first-parent line, the step branches still kept, and the
 * total change since the base.
 */
import { z } from 'zod';
import { readConflict } from './conflict-records.js';
import { mainCheckout } from './git-repository.js';
import type { Git } from './git-runner.js';
import { readTrailers, runRefPrefix, stepBranchName } from './ref-names.js';
import { type RunWorkspace, runTip } from './run-workspace.js';
import { describeChanges, type FileChange } from './step-changes.js';

export interface StepWorkSummary {
  stepId: string;
  /** `merged` onto the run branch; `conflicted` or `kept` (unfinished) on its own branch. */
  outcome: 'merged' | 'conflicted' | 'kept';
  commit: string;
  branch?: string;
  files: FileChange[];
  insertions: number;
  deletions: number;
}

export interface RunWorkspaceSummary {
  runBranch: string;
  baseCommit: string;
  headCommit: string;
  /** Everything the run branch changed since the base. */
  files: FileChange[];
  insertions: number;
  deletions: number;
  steps: StepWorkSummary[];
  /** Nothing landed and nothing was kept: the run branch and its directory were removed. */
  removed: boolean;
}

const fileChangeSchema = z.object({
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted', 'type-changed', 'other']),
  insertions: z.number(),
  deletions: z.number(),
  binary: z.boolean(),
});

// Read back from the run's log (the run's end event keeps it): parsed, never cast, so a summary of another
// shape reads as none instead of breaking the run's report. The annotation keeps it in step with the types.
const runWorkspaceSummarySchema: z.ZodType<RunWorkspaceSummary> = z.object({
  runBranch: z.string(),
  baseCommit: z.string(),
  headCommit: z.string(),
  files: z.array(fileChangeSchema),
  insertions: z.number(),
  deletions: z.number(),
  steps: z.array(
    z.object({
      stepId: z.string(),
      outcome: z.enum(['merged', 'conflicted', 'kept']),
      commit: z.string(),
      branch: z.string().optional(),
      files: z.array(fileChangeSchema),
      insertions: z.number(),
      deletions: z.number(),
    }),
  ),
  removed: z.boolean(),
});

/** The summary a run's state keeps, or undefined when it has none (or one this version cannot read). */
export function summaryFromState(summary: unknown): RunWorkspaceSummary | undefined {
  const parsed = runWorkspaceSummarySchema.safeParse(summary);
  return parsed.success ? parsed.data : undefined;
}

export async function summarizeRunBranch(git: Git, run: RunWorkspace): Promise<RunWorkspaceSummary> {
  const at = mainCheckout(run.repo);
  const base = run.record.baseCommit;
  const head = await runTip(git, run);
  const steps: StepWorkSummary[] = [];
  if (head !== base) {
    const log = await git(
      ['log', '--first-parent', '--reverse', '--format=%H%x1f%P%x1f%B%x1e', `${base}..${head}`],
      at,
    );
    for (const entry of log.stdout.split('\x1e')) {
      const [hash, parents, message] = entry.trim().split('\x1f');
      const trailers = message === undefined ? undefined : readTrailers(message);
      const first = parents?.split(' ')[0];
      if (!hash || !first || trailers?.runId !== run.runId) continue;
      const changes = await describeChanges(git, at, first, hash, { maxPatchBytes: 0 });
      steps.push({ stepId: trailers.stepId, outcome: 'merged', commit: hash, ...counts(changes) });
    }
  }
  steps.push(...(await keptBranches(git, run)));
  const total = head === base ? undefined : await describeChanges(git, at, base, head, { maxPatchBytes: 0 });
  return {
    runBranch: run.record.runBranch,
    baseCommit: base,
    headCommit: head,
    files: total?.files ?? [],
    insertions: total?.insertions ?? 0,
    deletions: total?.deletions ?? 0,
    steps,
    removed: false,
  };
}

/** Step branches still there: conflicted work, or unfinished work saved when the run ended. */
async function keptBranches(git: Git, run: RunWorkspace): Promise<StepWorkSummary[]> {
  const at = mainCheckout(run.repo);
  const refs = await git(
    ['for-each-ref', '--format=%(refname)%1f%(objectname)%1f%(parent)', `${runRefPrefix(run.runId)}steps/`],
    at,
  );
  const kept: StepWorkSummary[] = [];
  for (const line of refs.stdout.split('\n')) {
    const [ref, commit, parents] = line.split('\x1f');
    const start = parents?.split(' ')[0];
    if (!ref || !commit || !start) continue;
    const message = (await git(['log', '-1', '--format=%B', commit], at)).stdout;
    const trailers = readTrailers(message);
    // Only the step's own commit on its own branch counts, not a start commit it never moved from.
    if (trailers?.runId !== run.runId || `refs/heads/${stepBranchName(run.runId, trailers.stepId)}` !== ref)
      continue;
    const stepId = trailers.stepId;
    const changes = await describeChanges(git, at, start, commit, { maxPatchBytes: 0 });
    const conflicted = readConflict(run.dir, stepId)?.stepCommit === commit;
    kept.push({
      stepId,
      outcome: conflicted ? 'conflicted' : 'kept',
      commit,
      branch: ref.slice('refs/heads/'.length),
      ...counts(changes),
    });
  }
  return kept;
}

function counts(changes: { files: StepWorkSummary['files']; insertions: number; deletions: number }) {
  return { files: changes.files, insertions: changes.insertions, deletions: changes.deletions };
}
