/**
 * A step's diff: from the commit the step started at to the commit holding its work, both recorded in its
 * events. The branches may be gone (merged, applied, discarded): the workspace keeps a ref to each step's
 * result, so git can still show it. Logs written before the commits were recorded on `step.succeeded` still
 * have them in the workspace and merge details.
 */
import type { RunState, StepState } from '../../engine/run-state.js';
import type { Git } from '../../workspace/git-runner.js';
import { capText } from '../../workspace/step-changes.js';

export interface StepDiff {
  available: boolean;
  diff?: string;
  files?: string[];
  /** Why there is no diff, in words. */
  reason?: string;
  truncated?: boolean;
}

export type DiffSource = (run: Readonly<RunState>, step: Readonly<StepState>) => Promise<StepDiff>;

const maxDiffBytes = 1024 * 1024;
const commitId = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The step's start and result commits, from its events (or, for older logs, its stage details). */
export function stepCommits(step: Readonly<StepState>): { start: string; result: string } | undefined {
  const start = step.startCommit ?? step.workspaceDetail?.startCommit;
  const result = step.resultCommit ?? step.stageDetail?.merge?.commit;
  if (start === undefined || result === undefined) return undefined;
  if (!commitId.test(start) || !commitId.test(result)) return undefined;
  return { start, result };
}

export function gitDiffSource(git: Git): DiffSource {
  return async (run, step) => {
    const files = step.filesChanged;
    const commits = stepCommits(step);
    if (!commits) {
      const changedNothing = step.status === 'succeeded' && step.stageDetail?.merge?.changed === 'false';
      return {
        available: false,
        ...(files && { files }),
        reason: changedNothing
          ? 'this step changed no files'
          : 'this step has no recorded change of its own, so there is no diff to show',
      };
    }
    const at = { cwd: run.workspace, okCodes: [0, 128] };
    const flags = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];
    const [patch, names] = await Promise.all([
      git(['diff', ...flags, commits.start, commits.result, '--'], at),
      git(['diff', '--name-only', '-z', ...flags, commits.start, commits.result, '--'], at),
    ]).catch(() => [undefined, undefined] as const);
    if (patch?.code !== 0 || names?.code !== 0) {
      return {
        available: false,
        ...(files && { files }),
        reason: `git could not show the diff ${commits.start.slice(0, 10)}..${commits.result.slice(0, 10)} in ${run.workspace}`,
      };
    }
    const cut = capText(patch.stdout, maxDiffBytes);
    return {
      available: true,
      diff: cut.text,
      files: names.stdout.split('\0').filter((path) => path !== ''),
      ...(cut.truncated && { truncated: true }),
    };
  };
}
