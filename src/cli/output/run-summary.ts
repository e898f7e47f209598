/** The table printed when a run ends: each step's outcome, and a one-line verdict with what to do next. */
import { relative } from 'node:path';
import type { Colors } from 'picocolors/types.js';
import { landingText } from '../../engine/run-landing.js';
import type { RunState, StepState } from '../../engine/run-state.js';
import { runUsage } from '../../engine/step-usage.js';
import { terminalSafe } from '../../support/control-characters.js';
import { formatDuration } from '../../support/format-duration.js';
import { budgetReachedText, budgetText } from './budget-text.js';
import { choiceLines } from './choice-text.js';
import { elapsedOf, stepNote } from './step-notes.js';
import { colorStatus } from './step-style.js';
import { costCell, usageCell, usageSentence } from './usage-text.js';

/** Above this many steps only the ones that did not succeed are listed. */
const fullTableLimit = 40;
const problemRowLimit = 50;

export function renderSummary(
  state: RunState,
  options: { colors: Colors; now: number; cwd: string; logsDir: string },
): string {
  const { colors, now } = options;
  const steps = state.order.map((id) => state.steps[id] as StepState);
  const listed =
    steps.length <= fullTableLimit
      ? steps
      : steps.filter((step) => step.status !== 'succeeded').slice(0, problemRowLimit);
  // The tokens column appears only when some agent reported usage (shell steps never do).
  const showUsage = steps.some((step) => step.usage !== undefined);
  // Distributed mode: which worker ran each step's last attempt.
  const showWorker = steps.some((step) => step.worker !== undefined);
  const rows = listed.map((step) => {
    const elapsed = elapsedOf(step, now);
    return [
      String(step.label),
      step.agent,
      step.status,
      String(step.attempts),
      elapsed === undefined ? '-' : formatDuration(elapsed),
      ...(showWorker ? [step.worker ? `${step.worker.worker}@${step.worker.host}` : '-'] : []),
      ...(showUsage ? [usageCell(step.usage), costCell(step.usage)] : []),
      stepNote(state, step, now),
    ].map(terminalSafe);
  });
  const header = [
    'step',
    'agent',
    'status',
    'attempts',
    'time',
    ...(showWorker ? ['worker'] : []),
    ...(showUsage ? ['tokens in/out', 'cost'] : []),
    'note',
  ];
  const noteColumn = header.length - 1;
  const widths = header.map((title, column) =>
    Math.min(
      column === noteColumn ? 80 : 28,
      Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
    ),
  );
  const format = (cells: string[], colorize: boolean): string =>
    cells
      .map((cell, column) => {
        const fitted = fit(cell, widths[column] as number);
        return colorize && column === 2
          ? colorStatus(cell, colors) + ' '.repeat(fitted.length - cell.length)
          : fitted;
      })
      .join('  ')
      .trimEnd();
  const lines: string[] = [];
  if (rows.length > 0) {
    lines.push(colors.gray(format(header, false)));
    for (const row of rows) lines.push(format(row, true));
  }
  if (listed.length < steps.length) {
    lines.push(
      colors.gray(
        `(${steps.length - listed.length} more steps not listed, ${state.counts.succeeded} succeeded in all)`,
      ),
    );
  }
  lines.push(...choiceLines(state, now).map((line) => colors.gray(terminalSafe(line))));
  lines.push(verdict(state, options));
  const landed = landingText(state);
  if (landed) lines.push(`Work: ${terminalSafe(landed)}.`);
  return lines.join('\n');
}

function verdict(
  state: RunState,
  options: { colors: Colors; now: number; cwd: string; logsDir: string },
): string {
  const { colors } = options;
  const counts = state.counts;
  const took = formatDuration((state.finishedAt ?? options.now) - (state.startedAt ?? state.createdAt));
  const tally = [
    `${counts.succeeded} succeeded`,
    counts.failed > 0 ? `${counts.failed} failed` : '',
    counts.blocked > 0 ? `${counts.blocked} blocked` : '',
    counts.cancelled > 0 ? `${counts.cancelled} cancelled` : '',
    counts.interrupted + counts.pending + counts.ready + counts.retrying > 0
      ? `${counts.interrupted + counts.pending + counts.ready + counts.retrying} not finished`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
  const logs = relative(options.cwd, options.logsDir) || '.';
  const usage = runUsage(state);
  const used = usage ? ` Used ${usageSentence(usage)}.` : '';
  const budget = state.budget ? ` Budget ${budgetText(state.budget)}.` : '';
  const head = `Run ${state.runId} ${colorStatus(state.status, colors)}: ${tally} in ${took}.${used}${budget}`;
  const reached = budgetReachedText(state);
  if (reached) return `${head} ${reached[0]?.toUpperCase()}${reached.slice(1)}`;
  if (state.status === 'interrupted') return `${head} Continue with: ai-collab resume ${state.runId}`;
  return state.status === 'succeeded' ? head : `${head} Logs: ${logs}`;
}

function fit(text: string, width: number): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > width ? `${single.slice(0, width - 1)}…` : single.padEnd(width);
}
