/** What every part of the workspace room works with, made once per orchestrator process. */
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { BringInSettings } from './bring-in.js';
import type { Git } from './git-runner.js';
import type { KeyedLock } from './keyed-lock.js';

export interface WorkspaceContext {
  git: Git;
  clock: Clock;
  logger: Logger;
  /** Where runs' worktrees live (`<stateDir>/worktrees`). */
  worktreesDir: string;
  bringIn: BringInSettings;
  /** Cap of the patch recorded with each step. */
  maxPatchBytes: number;
  /** Changes to a repository's worktree list, one at a time (keyed by its common git directory). */
  repositoryLock: KeyedLock;
  /** Merges into a run's branch, one at a time (keyed by run id). */
  runLock: KeyedLock;
}
