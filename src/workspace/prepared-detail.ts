/**
 * What `prepare` records about a step's workspace (`step.workspace-prepared`.detail, a string map), and
 * reading it back: the event log, not memory, is where a resumed run finds a step's start commit.
 */
import type { IsolationMode } from './isolation-policy.js';

export interface PreparedDetail {
  /** `view`: a throwaway checkout per looking step, as runs of older versions recorded. */
  isolation: IsolationMode | 'view' | 'off';
  /** Why isolation is off. */
  reason?: string;
  worktree?: string;
  gitDir?: string;
  /** The step's branch (worktree mode only; views are detached). */
  branch?: string;
  /** The commit the worktree was created from: the run branch when the step first started. */
  startCommit?: string;
  runBranch?: string;
  baseCommit?: string;
  /** Entries brought in from the user's checkout (never committed). */
  broughtIn: string[];
  /** Set for a conflict-resolution step: the conflicted step, and its commit being merged. */
  resolves?: string;
  mergeHead?: string;
}

const modes: ReadonlySet<string> = new Set<PreparedDetail['isolation']>([
  'worktree',
  'integration',
  'view',
  'in-place',
  'off',
]);

/** Recorded detail is read back as text: a mode this version knows, or not ours. */
function isMode(value: string): value is PreparedDetail['isolation'] {
  return modes.has(value);
}

export function encodePrepared(detail: PreparedDetail): Record<string, string> {
  const { broughtIn, ...rest } = detail;
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) if (typeof value === 'string') encoded[key] = value;
  if (broughtIn.length > 0) encoded.broughtIn = broughtIn.join('\n');
  return encoded;
}

export function readPrepared(
  detail: Readonly<Record<string, string>> | undefined,
): PreparedDetail | undefined {
  const isolation = detail?.isolation;
  if (detail === undefined || isolation === undefined || !isMode(isolation)) return undefined;
  const text = (key: string): Record<string, string> => {
    const value = detail[key];
    return value === undefined ? {} : { [key]: value };
  };
  return {
    isolation,
    ...text('reason'),
    ...text('worktree'),
    ...text('gitDir'),
    ...text('branch'),
    ...text('startCommit'),
    ...text('runBranch'),
    ...text('baseCommit'),
    ...text('resolves'),
    ...text('mergeHead'),
    broughtIn: detail.broughtIn ? detail.broughtIn.split('\n') : [],
  };
}
