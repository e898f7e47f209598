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

export async function recoverRunningSteps(
  recorder: RunRecorder,
  options: { clock: Clock; killGraceMs: number; reason: string },
): Promise<number> {
  const state = recorder.state;
  const running = state.order.filter((id) => state.steps[id]?.status === 'running');
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
