/**
 * The step that resolves a merge conflict: the same agent as the conflicted step, in its own worktree
 * where the conflicted merge is re-done (so the markers are in the files), told both sides. Its result is
 * committed as the merge of the two, reviewed and merged like any other change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { ConflictRecord } from './conflict-records.js';
import type { Git } from './git-runner.js';
import { type WorktreeHandle, worktreeCall } from './worktrees.js';

/** Shell steps cannot be asked to resolve anything: they stay conflicted for the user. */
export function canResolve(step: StepDefinition): boolean {
  return step.run === undefined;
}

/** The step to add to the plan for `record`, with an id no step of `takenIds` has. */
export function resolutionStepFor(
  conflicted: StepDefinition,
  record: ConflictRecord,
  takenIds: ReadonlySet<string>,
): StepDefinition {
  let id = `${conflicted.id}.resolve`;
  for (let n = 2; takenIds.has(id); n++) id = `${conflicted.id}.resolve-${n}`;
  return {
    id,
    label: id,
    agent: conflicted.agent,
    action: 'edit',
    target: record.files.join(', '),
    description: `Resolve the merge conflicts of step ${conflicted.label}`,
    prompt: resolutionPrompt(conflicted, record),
    // Already satisfied (the conflicted step ran after them); kept so views show where it belongs.
    needs: [...conflicted.needs],
    retries: conflicted.retries,
    backoff: conflicted.backoff,
    isolate: true,
    ...(conflicted.timeoutMs !== undefined && { timeoutMs: conflicted.timeoutMs }),
    ...(conflicted.review !== undefined && { review: conflicted.review }),
    ...(conflicted.env !== undefined && { env: conflicted.env }),
  };
}

const maxTaskChars = 4_000;

export function resolutionPrompt(conflicted: StepDefinition, record: ConflictRecord): string {
  const task = (conflicted.prompt ?? conflicted.description ?? '').slice(0, maxTaskChars);
  const files = record.context
    .map((file) => `--- ${file.path}${file.truncated ? ' (cut)' : ''} ---\n${file.withMarkers}`)
    .join('\n\n');
  const unlisted = record.files.length - record.context.length;
  return [
    `Your change for step "${conflicted.label}" could not be merged: other steps changed the same lines on the run's branch meanwhile.`,
    'This directory is in the middle of merging your change into the current run branch. These files contain conflict markers:',
    record.files.map((path) => `- ${path}`).join('\n'),
    '',
    'Resolve every conflict so that both your change and the other steps\u2019 changes are kept. Where they truly contradict, keep the other steps\u2019 work and re-apply the intent of your task on top of it.',
    'Remove every conflict marker line (<<<<<<<, |||||||, =======, >>>>>>>). Change only what resolving the conflicts needs. Do not commit: ai-collab commits and merges the result.',
    '',
    'Your original task was:',
    task,
    '',
    'The conflicted files as the merge left them (between <<<<<<< and ||||||| is the run branch, between ||||||| and ======= the common base, between ======= and >>>>>>> your change):',
    '',
    files,
    unlisted > 0 ? `\n(${unlisted} more conflicted files are not shown; open them.)` : '',
  ].join('\n');
}

/** Re-does the conflicted merge in the resolution step's worktree, leaving the markers in the files. */
export async function reproduceConflict(
  git: Git,
  worktree: WorktreeHandle,
  record: ConflictRecord,
): Promise<void> {
  // Exit 1 is the expected answer: the merge stopped with conflicts.
  await git(['merge', '--no-ff', '--no-commit', '--no-verify', record.stepCommit], {
    ...worktreeCall(worktree),
    okCodes: [0, 1],
  });
}

const markerLine = /^(<{7}|>{7}|\|{7})(\s|$)|^={7}$/m;

/** Files among `paths` that still hold a conflict marker line. */
export function filesWithMarkers(root: string, paths: readonly string[]): string[] {
  return paths.filter((path) => {
    try {
      return markerLine.test(readFileSync(join(root, path), 'utf8'));
    } catch {
      // Deleted while resolving: a deletion holds no markers.
      return false;
    }
  });
}
