/** `ai-collab status RUN_ID`: one run's steps, from the store (the same projection the live view uses). */
import { join } from 'node:path';
import pc from 'picocolors';
import { isRunStatus, stepsStillToRun, terminalRunStatuses } from '../../engine/run-state.js';
import { systemClock } from '../../support/clock.js';
import { InputError } from '../../support/errors.js';
import { exitCodes } from '../exit-codes.js';
import { forecastLines } from '../output/budget-text.js';
import { renderSummary } from '../output/run-summary.js';
import { renderStepReviews } from '../output/step-reviews-text.js';
import { buildRunReport } from '../run-report.js';
import { openStateReader } from '../state-reader.js';
import type { CommandContext } from './command-context.js';
import { displayStatus } from './runs-command.js';

export async function statusCommand(
  runId: string,
  options: { json?: boolean; db?: string },
  context: CommandContext,
): Promise<number> {
  // A broken configuration is reported by every command alike, though reading runs needs none of it.
  context.loadConfig();
  const reader = openStateReader(context.cwd, options.db, context.environment);
  try {
    const record = reader.getRun(runId);
    const state = record ? reader.runState(runId) : undefined;
    if (!record || !state)
      throw new InputError('RUN_NOT_FOUND', `no run ${runId}; list runs with: ai-collab runs`);
    // The index knows what the log cannot: that the run's owner died (shown as interrupted).
    const shown = displayStatus(record);
    if (isRunStatus(shown)) state.status = shown;
    // What the steps still to run will likely cost: shown for approval, and while a run is under way.
    const forecast = terminalRunStatuses.has(state.status)
      ? undefined
      : reader.forecast(stepsStillToRun(state));
    if (options.json) {
      const report = { ...buildRunReport(state), ...(forecast && { forecast }) };
      context.streams.stdout.write(`${JSON.stringify(report)}\n`);
      return exitCodes.success;
    }
    const out = context.streams.stdout;
    const colors = pc.createColors('isTTY' in out && out.isTTY === true && !process.env.NO_COLOR);
    out.write(
      `${renderSummary(state, { colors, now: systemClock.now(), cwd: context.cwd, logsDir: join(reader.paths.stateDir, 'runs', runId, 'logs') })}\n`,
    );
    if (forecast && state.status === 'awaiting_approval')
      out.write(`${forecastLines(forecast, state.budget).join('\n')}\n`);
    const reviews = renderStepReviews(state, colors);
    if (reviews) out.write(`${reviews}\n`);
    return exitCodes.success;
  } finally {
    reader.close();
  }
}
