/** The results every adapter returns alike: a failure with its details, and a step stopped by its signal. */
import type { AgentResult, StepFailure } from './agent.js';

export type FailureDetails = Omit<Extract<AgentResult, { ok: false }>, 'ok' | 'failure'>;

export function failure(problem: StepFailure, details: FailureDetails = {}): AgentResult {
  return { ok: false, failure: problem, ...details };
}

/** Why a step whose signal fired (timeout, cancel, interrupt) ended: the engine decides what it means. */
export const stoppedFailure: StepFailure = { code: 'ABORTED', kind: 'transient', message: 'stopped' };

export function aborted(): AgentResult {
  return { ok: false, failure: { ...stoppedFailure } };
}
