import type { Agent, AgentResult, AgentTask, AgentUsage } from '../../src/agents/agent.js';
import type { Clock } from '../../src/support/clock.js';

/** What one attempt of a step spends under a `SpendingAgent`. */
export interface SpendingAttempt {
  durationMs: number;
  usage: AgentUsage;
  /** Usage reported half-way through (cumulative, as agents report it), e.g. to pass a step's cap. */
  midway?: AgentUsage;
}

/**
 * An in-process agent for budget tests: each attempt waits its scripted duration on the given clock,
 * optionally reports usage half-way (a `usage-report` part, as the CLIs do), and succeeds with its usage.
 */
export class SpendingAgent implements Agent {
  readonly name: string;
  readonly starts: Array<{ stepId: string; at: number }> = [];
  #clock: Clock;
  #script: (stepId: string, attempt: number) => SpendingAttempt;

  constructor(name: string, clock: Clock, script: (stepId: string, attempt: number) => SpendingAttempt) {
    this.name = name;
    this.#clock = clock;
    this.#script = script;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const plan = this.#script(task.stepId, task.attempt);
    this.starts.push({ stepId: task.stepId, at: this.#clock.now() });
    try {
      if (plan.midway) {
        await this.#clock.sleep(plan.durationMs / 2, task.signal);
        task.onEvent?.({ type: 'usage-report', usage: plan.midway });
        await this.#clock.sleep(plan.durationMs / 2, task.signal);
      } else {
        await this.#clock.sleep(plan.durationMs, task.signal);
      }
    } catch {
      return {
        ok: false,
        failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' },
        ...(plan.midway && { usage: plan.midway }),
      };
    }
    return { ok: true, output: `${task.stepId} done`, usage: plan.usage };
  }
}
