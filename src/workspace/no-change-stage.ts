/**
 * The `verify` stage: a `write` or `edit` step with a `target` must have changed that target. An agent
 * that answers "done" without writing anything fails the attempt as `NO_CHANGE`, and the next attempt is
 * told so. Read-only git (no index, no commit): the merge stage commits for real afterwards.
 */
import type { StageContext, StageResult, StepStage } from '../engine/step-hooks.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { Git } from './git-runner.js';
import { readPrepared } from './prepared-detail.js';
import { findAdminDir } from './worktrees.js';

/** Steps whose result must show a change of their target. */
export function mustChangeTarget(step: StepDefinition): boolean {
  return (step.action === 'write' || step.action === 'edit') && (step.target ?? '').trim() !== '';
}

/** `commonDirOf`: the repository's common git directory for the run, if it has a run branch. */
export function noChangeStage(
  git: Git,
  commonDirOf: (context: StageContext) => Promise<string | undefined>,
): StepStage {
  return {
    name: 'verify',
    appliesTo: (step) => mustChangeTarget(step),
    run: async (context) => verifyTargetChanged(git, context, await commonDirOf(context)),
  };
}

export async function verifyTargetChanged(
  git: Git,
  context: StageContext,
  commonDir: string | undefined,
): Promise<StageResult> {
  const { step } = context;
  const target = (step.target ?? '').trim();
  const prepared = readPrepared(context.state.steps[step.id]?.workspaceDetail);
  // The administrative directory is looked up in the repository, never taken from the worktree.
  const gitDir =
    commonDir !== undefined && prepared?.worktree !== undefined
      ? findAdminDir(commonDir, prepared.worktree)
      : undefined;
  if (prepared?.startCommit === undefined || prepared.worktree === undefined || gitDir === undefined) {
    // In place (no run branch) there is no recorded start to compare with: nothing is claimed either way.
    return {
      kind: 'passed',
      detail: { target, verified: 'no', reason: 'the step has no recorded start commit' },
    };
  }
  const call = { cwd: context.cwd, gitDir, workTree: prepared.worktree };
  // Against the start commit, not HEAD or the index: whatever the agent committed or staged counts too.
  const [changed, added] = await Promise.all([
    git(
      ['diff', '--no-ext-diff', '--no-renames', '--name-only', '-z', prepared.startCommit, '--', target],
      call,
    ),
    git(['ls-files', '--others', '--exclude-standard', '-z', '--', target], call),
  ]);
  const files = [...changed.stdout.split('\0'), ...added.stdout.split('\0')].filter((file) => file !== '');
  if (files.length > 0)
    return { kind: 'passed', detail: { target, verified: 'yes', files: files.slice(0, 50).join('\n') } };
  const message = `step ${step.label} was to ${step.action} ${target}, but ${target} is unchanged`;
  return {
    kind: 'failed',
    failure: { code: 'NO_CHANGE', kind: 'transient', message },
    feedback: `Your previous attempt finished without changing ${target}. This step must ${step.action} ${target}: make the change in that file${target.endsWith('/') ? ' tree' : ''} itself, then answer.`,
  };
}
