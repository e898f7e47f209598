/**
 * The agent Part 1 registers with the engine: it runs no process, it only waits its step's duration
 * on the simulated clock (through the shared trace), so the engine is measured on scheduling alone.
 */
import type { Agent, AgentResult, AgentTask } from '../../src/agents/agent.js';
import type { BenchDag, BenchStep } from './random-dag.js';
import type { StepRunner } from './schedule-trace.js';

export const timerAgentName = 'timer';

export function createTimerAgent(dag: BenchDag, runStep: StepRunner): Agent {
  const steps = new Map<string, BenchStep>(dag.steps.map((step) => [step.id, step]));
  return {
    name: timerAgentName,
    async run(task: AgentTask): Promise<AgentResult> {
      const step = steps.get(task.stepId);
      if (!step) {
        return { ok: false, failure: { code: 'AGENT_ERROR', kind: 'permanent', message: 'unknown step' } };
      }
      try {
        await runStep(step, task.signal);
        return { ok: true, output: '' };
      } catch (error) {
        // Only an abort (timeout, cancel, stop) ends the wait early; report it the way real agents do.
        return { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: String(error) } };
      }
    },
  };
}
