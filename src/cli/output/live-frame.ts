/**
 * One frame of the live terminal view, as text: a header, the steps worth seeing (running, retrying,
 * failed, just finished, next up), and a progress bar with done/total and ETA. Pure, so it is testable.
 */
import type { Colors } from 'picocolors/types.js';
import type { RunState, StepState, StepStatus } from '../../engine/run-state.js';
import { terminalSafe } from '../../support/control-characters.js';
import { formatDuration } from '../../support/format-duration.js';
import { budgetText, formatUsd } from './budget-text.js';
import { failoverLines } from './choice-text.js';
import { elapsedOf, stepNote } from './step-notes.js';
import { statusGlyph } from './step-style.js';
import { formatTokens } from './usage-text.js';

export interface FrameOptions {
  now: number;
  width: number;
  height: number;
  frame: number;
  colors: Colors;
  notice?: string;
}

/** The newest moves to fallbacks and parked agents the frame shows. */
const maxChoiceLines = 3;

/** Which steps earn a line when not all fit: the ones a person is watching for. */
const visibilityRank: Record<StepStatus, number> = {
  running: 0,
  reviewing: 0,
  merging: 0,
  retrying: 1,
  failed: 2,
  conflicted: 2,
  interrupted: 3,
  ready: 4,
  blocked: 5,
  succeeded: 6,
  pending: 7,
  cancelled: 8,
};

export function renderLiveFrame(state: RunState, options: FrameOptions): string {
  const { colors, now } = options;
  const total = state.order.length;
  const lines: string[] = [];
  lines.push(
    `${colors.bold('ai-collab')} ${terminalSafe(state.name)} ${colors.gray(`· run ${state.runId} · concurrency ${state.concurrency}`)}${
      state.status === 'paused' ? colors.yellow(' · paused') : ''
    }`,
  );
  // Moves to fallbacks and parked agents stay in view: they explain why a step's agent changed or waits.
  const choice = failoverLines(state, now).slice(-maxChoiceLines);
  const room = Math.max(3, options.height - 4 - choice.length);
  const visible = pickVisible(state, room);
  const idWidth = Math.min(24, Math.max(4, ...visible.map((step) => labelText(step).length)));
  const agentWidth = Math.min(12, Math.max(5, ...visible.map((step) => terminalSafe(step.agent).length)));
  for (const step of visible) {
    const elapsed = elapsedOf(step, now);
    const line = [
      statusGlyph(step.status, colors, options.frame),
      pad(labelText(step), idWidth),
      colors.gray(pad(terminalSafe(step.agent), agentWidth)),
      step.attempts > 0 ? `#${step.attempts}` : '  ',
      pad(elapsed === undefined ? '' : formatDuration(elapsed), 7),
      colors.gray(terminalSafe(stepNote(state, step, now))),
    ].join(' ');
    lines.push(truncate(line, options.width));
  }
  const hidden = total - visible.length;
  if (hidden > 0) lines.push(colors.gray(`  … ${hidden} more steps (${summarizeCounts(state, visible)})`));
  lines.push(progressLine(state, options));
  for (const line of choice) lines.push(truncate(colors.yellow(terminalSafe(line)), options.width));
  if (options.notice) lines.push(colors.yellow(terminalSafe(options.notice)));
  return lines.join('\n');
}

function labelText(step: StepState): string {
  return terminalSafe(String(step.label));
}

function pickVisible(state: RunState, room: number): StepState[] {
  const steps = state.order.map((id) => state.steps[id] as StepState);
  if (steps.length <= room) return steps;
  const ranked = steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => {
      const rank = visibilityRank[a.step.status] - visibilityRank[b.step.status];
      if (rank !== 0) return rank;
      // Among finished steps show the most recent; otherwise keep plan order.
      if (a.step.status === 'succeeded') return (b.step.finishedAt ?? 0) - (a.step.finishedAt ?? 0);
      return a.index - b.index;
    })
    .slice(0, room);
  return ranked.sort((a, b) => a.index - b.index).map((entry) => entry.step);
}

function summarizeCounts(state: RunState, visible: StepState[]): string {
  const shown = new Map<string, number>();
  for (const step of visible) shown.set(step.status, (shown.get(step.status) ?? 0) + 1);
  return Object.entries(state.counts)
    .map(([status, count]) => [status, count - (shown.get(status) ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
}

function progressLine(state: RunState, options: FrameOptions): string {
  const { colors, now } = options;
  const total = state.order.length;
  const counts = state.counts;
  const done = counts.succeeded + counts.failed + counts.blocked + counts.cancelled + counts.conflicted;
  const barWidth = Math.max(10, Math.min(30, options.width - 60));
  const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
  const bar = colors.green('█'.repeat(filled)) + colors.gray('░'.repeat(barWidth - filled));
  const elapsed = state.startedAt === undefined ? 0 : now - state.startedAt;
  const parts = [`${done}/${total}`];
  if (counts.running > 0) parts.push(`${counts.running} running`);
  if (counts.retrying > 0) parts.push(colors.yellow(`${counts.retrying} retrying`));
  if (counts.failed > 0) parts.push(colors.red(`${counts.failed} failed`));
  if (counts.blocked > 0) parts.push(colors.yellow(`${counts.blocked} blocked`));
  parts.push(`${formatDuration(elapsed)} elapsed`);
  const spend = spendCompact(state);
  if (spend) parts.push(spend);
  if (done > 0 && done < total) parts.push(`ETA ${formatDuration((elapsed / done) * (total - done))}`);
  return `${bar} ${parts.join(colors.gray(' · '))}`;
}

/** `$0.42 of $5` (with a budget) or `$0.42 · 12k tok` for the progress line. */
function spendCompact(state: RunState): string | undefined {
  if (!state.spent && !state.budget) return undefined;
  const spent = state.spent ?? { usd: 0, tokens: 0, uncostedTokens: 0 };
  const usd = `${formatUsd(spent.usd)}${spent.uncostedTokens > 0 ? '+?' : ''}`;
  return state.budget
    ? `${usd} of ${budgetText(state.budget)}`
    : `${usd} · ${formatTokens(spent.tokens)} tok`;
}

function pad(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** Cuts a line to the terminal width, counting visible characters only (colour codes take no room). */
function truncate(line: string, width: number): string {
  let visible = 0;
  let result = '';
  for (let index = 0; index < line.length; index++) {
    if (line[index] === '\u001b') {
      const end = line.indexOf('m', index);
      if (end > 0) {
        result += line.slice(index, end + 1);
        index = end;
        continue;
      }
    }
    if (visible >= width - 1) return `${result}\u001b[0m`;
    result += line[index];
    visible++;
  }
  return result;
}
