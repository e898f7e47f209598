/**
 * Failover across vendors: when a step's agent is parked on a usage limit, cannot run here, or was stopped
 * for crashing in a loop, the step moves to the first agent of its fallback list (the step's `fallback:`,
 * else its agent's in the configuration) that can take it now. Pure, so the choice is tested on its own.
 */
import type { StepFailure } from '../../agents/agent.js';

export type FailoverCause = 'usage-limit' | 'unusable' | 'crash-loop';

export interface FailoverQuery {
  /** The agent the step has now. */
  current: string;
  /** Fallbacks in order of preference. */
  chain: readonly string[];
  /** Agents the step already moved away from: never moved back to within the run. */
  left: readonly string[];
  /** Whether an agent can take a step right now (registered, usable, not parked). */
  usable(agent: string): boolean;
}

export function nextFallback(query: FailoverQuery): string | undefined {
  const left = new Set([...query.left, query.current]);
  return query.chain.find((agent) => !left.has(agent) && query.usable(agent));
}

/** Why a failure is worth moving to another agent for, or undefined when it is the step's own. */
export function failoverCause(failure: StepFailure): FailoverCause | undefined {
  // A stage's failure (a reviewer's usage limit) says nothing about the step's own agent.
  if (failure.stage !== undefined) return undefined;
  if (failure.kind === 'usage-limit') return 'usage-limit';
  if (failure.kind !== 'permanent') return undefined;
  if (/crashed \d+ times within/i.test(failure.message)) return 'crash-loop';
  if (
    failure.code === 'AGENT_UNAVAILABLE' ||
    failure.code === 'AUTH_FAILED' ||
    failure.code === 'SPAWN_FAILED'
  )
    return 'unusable';
  return undefined;
}
