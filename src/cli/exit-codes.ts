/** Exit codes of DESIGN.md: 0 all succeeded, 1 failed or blocked steps, 2 invalid input, 130 interrupted. */
import type { RunStatus } from '../engine/run-state.js';

export const exitCodes = { success: 0, failure: 1, invalidInput: 2, interrupted: 130 } as const;

export function exitCodeForRun(status: RunStatus): number {
  if (status === 'succeeded') return exitCodes.success;
  if (
    status === 'interrupted' ||
    status === 'paused' ||
    status === 'running' ||
    status === 'awaiting_approval'
  ) {
    return exitCodes.interrupted;
  }
  return exitCodes.failure;
}
