/** The typed failure of the workspace room: git refused, the repository changed under us, or the user's tree is at risk. */
import { OrchestratorError, type OrchestratorErrorOptions } from '../support/errors.js';

export type WorkspaceErrorReason =
  /** A git command failed (its stderr is in the message). */
  | 'GIT_FAILED'
  /** Executable git configuration appeared after the run started: an agent may have written it. */
  | 'UNTRUSTED_GIT_CONFIG'
  /** The run's branch is gone (deleted by hand) or was moved by someone else. */
  | 'RUN_BRANCH_MOVED'
  /** `apply` would put uncommitted changes of the user at risk. */
  | 'DIRTY_WORKING_TREE'
  /** `apply` or `discard` cannot proceed in the repository's current state (detached HEAD, branch checked out…). */
  | 'NOT_APPLICABLE'
  /** The run has no branch: it ran without isolation, was discarded, or never changed code. */
  | 'NO_RUN_BRANCH'
  /** Every port block is held by a running attempt. */
  | 'PORTS_EXHAUSTED';

/**
 * `code` stays one of the product's codes (INTERNAL for git failures, USAGE for refusals the user can fix);
 * `reason` says exactly which workspace problem it is.
 */
export class WorkspaceError extends OrchestratorError {
  override readonly name = 'WorkspaceError';
  readonly reason: WorkspaceErrorReason;

  constructor(
    reason: WorkspaceErrorReason,
    message: string,
    options: Omit<OrchestratorErrorOptions, 'kind'> = {},
  ) {
    // Transient: a step whose workspace could not be prepared is tried again, as before errors had a kind.
    super(reason === 'GIT_FAILED' ? 'INTERNAL' : 'USAGE', message, { ...options, kind: 'transient' });
    this.reason = reason;
  }
}

export function isWorkspaceError(error: unknown, reason?: WorkspaceErrorReason): error is WorkspaceError {
  return error instanceof WorkspaceError && (reason === undefined || error.reason === reason);
}
