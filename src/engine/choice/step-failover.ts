/**
 * The executor's failover: records `step.failed-over` when a step's agent cannot take it (a usage limit,
 * unusable here, a crash loop) and a fallback can; the executor then queues the step on its new agent.
 */
import type { StepFailure } from '../../agents/agent.js';
import type { AgentRegistry } from '../../agents/registry.js';
import type { StepDefinition } from '../../protocol/plan-types.js';
import type { Clock } from '../../support/clock.js';
import type { RunRecorder } from '../run-recorder.js';
import { failoverCause, nextFallback } from './failover.js';

/** A usage limit that names no reset time is tried again after an hour. */
const defaultParkMs = 60 * 60_000;

/** When a step parked on `failure` (a usage limit) is tried again. */
export function parkUntil(failure: StepFailure, now: number): number {
  return Math.max(now + 1_000, failure.resetAt ?? now + defaultParkMs);
}

export interface StepFailoverDeps {
  recorder: RunRecorder;
  clock: Clock;
  agents: AgentRegistry;
  /** The step as planned (its `fallback:` and first agent). */
  definitionOf(id: string): StepDefinition | undefined;
}

export class StepFailover {
  readonly #deps: StepFailoverDeps;

  constructor(deps: StepFailoverDeps) {
    this.#deps = deps;
  }

  /** After an attempt failed: true when the step moved to a fallback (recorded; queue it there). */
  afterFailure(id: string, failure: StepFailure): boolean {
    const cause = failoverCause(failure);
    const step = this.#deps.recorder.state.steps[id];
    if (!cause || !step) return false;
    const to = this.#fallbackFor(id);
    if (to === undefined) return false;
    const until = cause === 'usage-limit' ? parkUntil(failure, this.#deps.clock.now()) : undefined;
    this.#deps.recorder.record({
      type: 'step.failed-over',
      data: {
        stepId: id,
        from: step.agent,
        to,
        cause,
        reason: failure.message.slice(0, 500),
        ...(until !== undefined && { until }),
        ...(failure.limitWindow !== undefined && { window: failure.limitWindow }),
      },
    });
    return true;
  }

  /** Before a start: a step whose agent is parked or cannot run here moves, when it has a fallback. */
  beforeStart(id: string): boolean {
    const state = this.#deps.recorder.state;
    const step = state.steps[id];
    if (!step || step.pick) return false;
    const limit = state.agentLimits?.[step.agent];
    // Asked afresh: a CLI deleted or a login removed since the run started fails or moves the step now.
    const unusable = this.#deps.agents.recheck(step.agent) === undefined;
    if (!unusable && (limit === undefined || limit.until <= this.#deps.clock.now())) return false;
    const failure: StepFailure = unusable
      ? {
          code: 'AGENT_UNAVAILABLE',
          kind: 'permanent',
          message:
            this.#deps.agents.unavailableReason(step.agent) ?? `agent "${step.agent}" is not available`,
        }
      : {
          code: 'USAGE_LIMIT',
          kind: 'usage-limit',
          message: limit?.reason ?? 'usage limit',
          ...(limit && { resetAt: limit.until }),
          ...(limit?.window !== undefined && { limitWindow: limit.window }),
        };
    return this.afterFailure(id, failure);
  }

  /**
   * A step becoming ready on an agent the log shows parked: it moves to its fallback, or else parks until
   * the reset (no attempt spent) so it shows as parked rather than ready. Returns when it waits until.
   */
  onReady(id: string): number | undefined {
    if (this.beforeStart(id)) return undefined;
    const state = this.#deps.recorder.state;
    const step = state.steps[id];
    const limit = step && !step.pick ? state.agentLimits?.[step.agent] : undefined;
    if (!step || !limit || limit.until <= this.#deps.clock.now()) return undefined;
    this.#deps.recorder.record({
      type: 'step.parked',
      data: {
        stepId: id,
        attempt: step.attempts,
        until: limit.until,
        reason: limit.reason,
        agent: step.agent,
        ...(limit.window !== undefined && { window: limit.window }),
      },
    });
    return limit.until;
  }

  #fallbackFor(id: string): string | undefined {
    const state = this.#deps.recorder.state;
    const step = state.steps[id];
    const planned = this.#deps.definitionOf(id);
    if (!step || !planned) return undefined;
    const now = this.#deps.clock.now();
    return nextFallback({
      current: step.agent,
      chain: planned.fallback ?? this.#deps.agents.fallbackOf(planned.agent),
      left: (step.failedOver ?? []).map((move) => move.from),
      usable: (agent) =>
        this.#deps.agents.get(agent) !== undefined && (state.agentLimits?.[agent]?.until ?? 0) <= now,
    });
  }
}
