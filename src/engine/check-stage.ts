/**
 * The `check` stage: a step's `check:` command after its agent (and after `verify`), before the reviewers,
 * who then see its output. Its log is the attempt's `<step>.<attempt>.check.log`.
 */
import { devNull } from 'node:os';
import { join } from 'node:path';
import type { StepCommandSettings } from '../agents/shell/step-command.js';
import { fileSafe } from './step-attempt.js';
import { runStepCheck } from './step-check.js';
import type { StepStage } from './step-hooks.js';

export function checkStage(settings: StepCommandSettings): StepStage {
  return {
    name: 'check',
    appliesTo: (step) => step.check !== undefined,
    run: async (context) => {
      const { step, attempt } = context;
      const result = await runStepCheck(settings, {
        runId: context.runId,
        step,
        attempt,
        cwd: context.cwd,
        ...(context.env && { env: context.env }),
        logFile:
          context.logsDir === undefined
            ? devNull
            : join(context.logsDir, `${fileSafe(step.id)}.${attempt}.check.log`),
        signal: context.signal,
      });
      if (!result.ok) return { kind: 'failed', failure: result.failure, feedback: result.feedback };
      return {
        kind: 'passed',
        detail: {
          command: result.command,
          exitCode: '0',
          durationMs: String(result.durationMs),
          output: result.output,
        },
      };
    },
  };
}
