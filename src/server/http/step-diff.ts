/**
 * A step's diff. The default asks git for the changes on the branch the step worked on, when its
 * workspace recorded one (`branch` and `base` in the step's workspace detail); otherwise there is none.
 */
import { execFile } from 'node:child_process';
import type { RunState, StepState } from '../../engine/run-state.js';

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
const safeRef = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

export const gitDiffSource: DiffSource = async (run, step) => {
  const branch = step.workspaceDetail?.branch;
  const base = step.workspaceDetail?.base ?? step.workspaceDetail?.baseCommit;
  const files = step.filesChanged;
  if (!branch || !base || !safeRef.test(branch) || !safeRef.test(base) || branch.includes('..')) {
    return {
      available: false,
      ...(files && { files }),
      reason: 'this step did not work on a branch of its own, so there is no diff to show',
    };
  }
  return new Promise((resolve) => {
    execFile(
      'git',
      [
        '-C',
        run.workspace,
        'diff',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        `${base}...${branch}`,
        '--',
      ],
      { timeout: 10_000, maxBuffer: maxDiffBytes, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
      (error, stdout) => {
        const truncated = (error as { code?: unknown } | null)?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
        if (error && !truncated) {
          resolve({ available: false, ...(files && { files }), reason: 'git could not show the diff' });
          return;
        }
        resolve({ available: true, diff: stdout, ...(files && { files }), ...(truncated && { truncated }) });
      },
    );
  });
};
