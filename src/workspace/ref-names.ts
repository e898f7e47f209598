/**
 * Names the orchestrator gives things in the user's repository: branches under `ai-collab/<runId>/`,
 * worktree directories, and the trailers that tie a commit to its run and step.
 */
import { join } from 'node:path';

/** All of a run's branches live under this prefix, so `discard` can find every one of them. */
export function runRefPrefix(runId: string): string {
  return `refs/heads/ai-collab/${refSafe(runId)}/`;
}

/** The branch the run's merged work accumulates on (`ai-collab/<runId>/run`). */
export function runBranchName(runId: string): string {
  return `ai-collab/${refSafe(runId)}/run`;
}

/** A code-changing step's own branch. */
export function stepBranchName(runId: string, stepId: string): string {
  return `ai-collab/${refSafe(runId)}/steps/${refSafe(stepId)}`;
}

/**
 * Keeps a step's result commit (and through its first parent, its start) reachable for the step's diff.
 * Outside `refs/heads/`: no branch list shows it, and `discard`, which removes the run's branches, keeps it.
 */
export function stepResultRef(runId: string, stepId: string): string {
  return `refs/ai-collab/${refSafe(runId)}/steps/${refSafe(stepId)}`;
}

/**
 * A best-of-N step's candidate `n`'s work, kept whether or not it was picked (outside `refs/heads/`, so it
 * is no branch, and beside `steps/` because a ref cannot also be a directory of refs).
 */
export function candidateRef(runId: string, stepId: string, candidate: number): string {
  return `refs/ai-collab/${refSafe(runId)}/candidates/${refSafe(stepId)}/${candidate}`;
}

/** Where one run's worktrees and records live. */
export function runDirectory(worktreesDir: string, runId: string): string {
  return join(worktreesDir, refSafe(runId));
}

/** The run's shared worktree: steps without a worktree of their own work here, on the run branch. */
export function integrationWorktreePath(worktreesDir: string, runId: string): string {
  return join(runDirectory(worktreesDir, runId), 'integration');
}

/** Where what those steps committed is merged into the run branch (never the integration worktree itself). */
export function landingWorktreePath(worktreesDir: string, runId: string): string {
  return join(runDirectory(worktreesDir, runId), 'landing');
}

export function stepWorktreePath(worktreesDir: string, runId: string, stepId: string): string {
  return join(runDirectory(worktreesDir, runId), 'steps', refSafe(stepId));
}

/**
 * A step id as one ref-name component and one path component: characters git or file systems treat
 * specially become `_`, and a short hash of the original keeps different ids apart.
 */
export function refSafe(id: string): string {
  let safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
  if (safe.startsWith('.') || safe.startsWith('-')) safe = `_${safe.slice(1)}`;
  if (safe.endsWith('.') || safe.endsWith('.lock')) safe = `${safe}_`;
  safe = safe.slice(0, 80);
  if (safe === id && safe !== '') return id;
  return `${safe}-${hashOf(id)}`;
}

function hashOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Trailer keys on every commit the orchestrator makes. */
export const trailerKeys = {
  run: 'AI-Collab-Run',
  step: 'AI-Collab-Step',
  attempt: 'AI-Collab-Attempt',
} as const;

/** Step ids are free text; in a trailer they are URI-encoded so one id is exactly one line. */
export function trailerLines(runId: string, stepId: string, attempt: number): string {
  return [
    `${trailerKeys.run}: ${encodeURIComponent(runId)}`,
    `${trailerKeys.step}: ${encodeURIComponent(stepId)}`,
    `${trailerKeys.attempt}: ${attempt}`,
  ].join('\n');
}

/** The run and step a commit message names through its trailers, if it has them. */
export function readTrailers(
  message: string,
): { runId: string; stepId: string; attempt: number } | undefined {
  const values = new Map<string, string>();
  for (const line of message.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) values.set(line.slice(0, colon), line.slice(colon + 2).trim());
  }
  const run = values.get(trailerKeys.run);
  const step = values.get(trailerKeys.step);
  if (run === undefined || step === undefined) return undefined;
  try {
    return {
      runId: decodeURIComponent(run),
      stepId: decodeURIComponent(step),
      attempt: Number(values.get(trailerKeys.attempt) ?? '0'),
    };
  } catch {
    // A malformed escape is not one of ours.
    return undefined;
  }
}
