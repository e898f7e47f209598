import type { Agent, AgentResult, AgentTask, StepFailure } from '../../src/agents/agent.js';
import type { Clock } from '../../src/support/clock.js';

/** What one attempt of a step does under a scripted agent. */
export interface ScriptedAttempt {
  durationMs: number;
  fail?: Partial<StepFailure>;
}

export interface TimelineEntry {
  at: number;
  what: 'start' | 'end' | 'abort';
  stepId: string;
  attempt: number;
  workspace?: string;
  feedback?: string;
}

/**
 * An in-process agent for engine tests: each attempt waits its scripted duration on the given clock,
 * then succeeds or fails as scripted. It keeps a timeline and the peak number of attempts in flight.
 */
export class ScriptedAgent implements Agent {
  readonly name: string;
  readonly timeline: TimelineEntry[] = [];
  #clock: Clock;
  #script: (stepId: string, attempt: number) => ScriptedAttempt;
  #inFlight = 0;
  peakInFlight = 0;

  constructor(name: string, clock: Clock, script: (stepId: string, attempt: number) => ScriptedAttempt) {
    this.name = name;
    this.#clock = clock;
    this.#script = script;
  }

  starts(): string[] {
    return this.timeline.filter((entry) => entry.what === 'start').map((entry) => entry.stepId);
  }

  startTimes(stepId: string): number[] {
    return this.timeline
      .filter((entry) => entry.what === 'start' && entry.stepId === stepId)
      .map((entry) => entry.at);
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const plan = this.#script(task.stepId, task.attempt);
    this.timeline.push({
      at: this.#clock.now(),
      what: 'start',
      stepId: task.stepId,
      attempt: task.attempt,
      workspace: task.workspace,
      ...(task.feedback !== undefined && { feedback: task.feedback }),
    });
    this.#inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.#inFlight);
    try {
      await this.#clock.sleep(plan.durationMs, task.signal);
    } catch {
      this.timeline.push({
        at: this.#clock.now(),
        what: 'abort',
        stepId: task.stepId,
        attempt: task.attempt,
      });
      return { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' } };
    } finally {
      this.#inFlight--;
    }
    this.timeline.push({ at: this.#clock.now(), what: 'end', stepId: task.stepId, attempt: task.attempt });
    if (plan.fail) {
      return {
        ok: false,
        failure: { code: 'EXIT_CODE', kind: 'transient', message: 'scripted failure', ...plan.fail },
      };
    }
    return { ok: true, output: `${task.stepId} done` };
  }
}
