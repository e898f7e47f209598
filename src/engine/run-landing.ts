/**
 * What became of an ended run's work, in words every front end shows alike (terminal, `status`, MCP,
 * dashboard): landed on the user's branch (`run.applied`) or dropped (`run.discarded`). Free of Node APIs.
 */
import type { RunState } from './run-state.js';

/** "applied to main at 1a2b3c4d5e (fast-forward, 3 files)", "discarded by cli (never applied: …)", or undefined while neither. */
export function landingText(state: Pick<RunState, 'applied' | 'discarded'>): string | undefined {
  const { applied, discarded } = state;
  const appliedText =
    applied &&
    `applied to ${applied.branch} at ${applied.commit.slice(0, 10)} (${applied.how}, ${applied.files} file${applied.files === 1 ? '' : 's'}) by ${applied.by}`;
  if (!discarded) return appliedText;
  const discardedText = `discarded by ${discarded.by} (${
    discarded.wasApplied ? 'its branches removed after it was applied' : 'never applied: its changes are gone'
  })`;
  return appliedText ? `${appliedText}; ${discardedText}` : discardedText;
}

/** The one-word state of the run's work after it ended, for badges and lists: landed work counts first. */
export function landingState(
  state: Pick<RunState, 'applied' | 'discarded'>,
): 'applied' | 'discarded' | undefined {
  if (state.applied) return 'applied';
  return state.discarded ? 'discarded' : undefined;
}

/** The landing fields of a run's JSON (`status --json`, MCP `get_run`): absent while neither happened. */
export function landingReport(
  state: Pick<RunState, 'applied' | 'discarded'>,
): Partial<Pick<RunState, 'applied' | 'discarded'> & { landing: 'applied' | 'discarded' }> {
  const landing = landingState(state);
  return {
    ...(landing && { landing }),
    ...(state.applied && { applied: state.applied }),
    ...(state.discarded && { discarded: state.discarded }),
  };
}
