/** A step failure as the log keeps it: the fields worth showing, the output's tail capped. */
import type { StepFailure } from '../agents/agent.js';
import type { StepErrorInfo } from './events.js';

export function toErrorInfo(failure: StepFailure): StepErrorInfo {
  return {
    code: failure.code,
    kind: failure.kind,
    message: failure.message,
    ...(failure.resetAt !== undefined && { resetAt: failure.resetAt }),
    ...(failure.exitCode !== undefined && { exitCode: failure.exitCode }),
    ...(failure.signal !== undefined && { signal: failure.signal }),
    ...(failure.outputTail !== undefined && { outputTail: failure.outputTail.slice(-2_000) }),
  };
}
