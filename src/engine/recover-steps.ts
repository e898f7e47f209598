/**
 * After the orchestrator died, steps it recorded as running may still have live processes. They are
 * stopped (matched by pid and start time, and by the environment tag their descendants inherit) before
 * the steps are run again, so no step ever runs twice at once.
 */
import { killProcessTree } from '../agents/process/kill-tree.js';
import { readBootId } from '../agents/process/proc-table.js';
import { processTagName } from '../agents/shell/shell-agent.js';
import type { Clock } from '../support/clock.js';
import type { RunRecorder } from './run-recorder.js';
import type { StepStatus } from './run-state.js';

const inAttempt: ReadonlySet<StepStatus> = new Set(['running', 'reviewing', 'merging']);

export async function recoverRunningSteps(
  recorder: RunRecorder,
  options: { clock: Clock; killGraceMs: number; reason: string },
): Promise<number> {
  const state = recorder.state;
  // Reviewing and merging are stages of a running attempt: one the crash cut short runs again like any
  // other (a merge that had landed is found on the run branch and not made twice). Its next attempt is
  // told it follows an interrupted one, so a remote agent whose result is still on record takes that
  // result through the stages again instead of running the agent again.
  const running = state.order.filter((id) => inAttempt.has(state.steps[id]?.status ?? 'pending'));
  await Promise.all(
    running.map(async (id) => {
      const step = state.steps[id];
      if (!step) return;
      const tag = `${processTagName}=${state.runId}/${id}/${step.attempts}`;
      const recorded = step.process;
      const root = recorded
        ? { ...recorded, tag }
        : // The crash came between spawning and recording: the tag alone finds the processes.
          { pid: 0, pgid: 0, startTime: '0', bootId: readBootId(), tag };
      await killProcessTree(root, { clock: options.clock, graceMs: options.killGraceMs });
      recorder.record({
        type: 'step.interrupted',
        data: { stepId: id, attempt: step.attempts, reason: options.reason },
      });
    }),
  );
  return running.length;
}
