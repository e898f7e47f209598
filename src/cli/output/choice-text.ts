/**
 * Words for best-of-N and failover: which agent is parked until when (and on which window), how a step's
 * candidates ranked, and why a step moved to another agent. Shared by the live view, the progress lines
 * and `status`.
 */
import { choiceReport, type FailoverReport, type ParkedReport } from '../../engine/choice/choice-report.js';
import type { CandidateRanking } from '../../engine/events.js';
import type { AgentLimit, FailoverRecord, RunState, StepState } from '../../engine/run-state.js';

/** "claude: parked until 14:00 (five_hour)"; the date is added when the reset is not within a day. */
export function parkedLine(agent: string, limit: AgentLimit, now: number): string {
  const window = limit.window !== undefined ? ` (${limit.window})` : '';
  return `${agent}: parked until ${clockTime(limit.until, now)}${window}`;
}

/** The agents still parked at `now`, one line each. */
export function parkedAgents(state: RunState, now: number): string[] {
  return Object.entries(state.agentLimits ?? {})
    .filter(([, limit]) => limit.until > now)
    .map(([agent, limit]) => parkedLine(agent, limit, now));
}

export function clockTime(at: number, now: number): string {
  const date = new Date(at);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (at - now < 24 * 60 * 60_000) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** One line per candidate: "#2 codex  succeeded  score 0.67  $0.0123  picked". */
export function candidateLines(state: RunState, step: StepState): string[] {
  const ranked = new Map((step.ranking ?? []).map((entry) => [entry.stepId, entry]));
  return (step.candidates ?? []).map((id) => {
    const candidate = state.steps[id];
    const entry = ranked.get(id);
    const parts = [
      `${String(candidate?.label ?? id)}`,
      candidate?.agent ?? '?',
      candidate?.status ?? '?',
      scoreText(candidate, entry),
      costText(candidate, entry),
      candidate?.stageDetail?.merge?.filesChanged !== undefined
        ? `${candidate.stageDetail.merge.filesChanged} files +${candidate.stageDetail.merge.insertions ?? '0'} -${candidate.stageDetail.merge.deletions ?? '0'}`
        : '',
      step.picked === id ? 'picked' : (entry?.reason ?? candidate?.error?.message ?? ''),
    ];
    return parts.filter((part) => part !== '').join('  ');
  });
}

function scoreText(candidate: StepState | undefined, entry: CandidateRanking | undefined): string {
  const share = entry?.score ?? Number(candidate?.stageDetail?.review?.approvalShare ?? Number.NaN);
  return Number.isFinite(share) ? `score ${share.toFixed(2)}` : '';
}

function costText(candidate: StepState | undefined, entry: CandidateRanking | undefined): string {
  const cost = entry?.costUsd ?? candidate?.usage?.costUsd;
  return cost !== undefined ? `$${cost.toFixed(4)}` : '';
}

/** What a move to a fallback records; `until`/`window` only for a usage limit. */
export type FailoverMove = Omit<FailoverRecord, 'at'>;

/**
 * One line per move: "claude parked until 14:00 (five_hour) → moved to codex" for a usage limit, else
 * "claude unusable (reason) → moved to codex". The caller puts "step x: " in front.
 */
export function failedOverText(move: FailoverMove, now: number): string {
  const why =
    move.until !== undefined
      ? `parked until ${clockTime(move.until, now)}${move.window !== undefined ? ` (${move.window})` : ''}`
      : `${causeWords[move.cause] ?? move.cause} (${move.reason})`;
  return `${move.from} ${why} → moved to ${move.to}`;
}

const causeWords: Record<string, string> = {
  'usage-limit': 'hit a usage limit',
  unusable: 'unusable',
  'crash-loop': 'stopped by a crash loop',
};

/** "step build waits for claude until 14:00 (five_hour), no attempt spent". */
export function parkedStepText(label: string, parked: ParkedReport, now: number): string {
  const window = parked.window !== undefined ? ` (${parked.window})` : '';
  return `step ${label} waits for ${parked.agent} until ${clockTime(parked.until, now)}${window}, no attempt spent`;
}

function failoverLine(move: FailoverReport, now: number): string {
  return `step ${move.stepId}: ${failedOverText(move, now)}`;
}

/** For the live view: every move to a fallback so far and each agent still parked, one line each. */
export function failoverLines(state: RunState, now: number): string[] {
  return [
    ...choiceReport(state).failovers.map((move) => failoverLine(move, now)),
    ...parkedAgents(state, now),
  ];
}

/** Under the step table: each best-of-N step's candidates side by side, moves to fallbacks, parking. */
export function choiceLines(state: RunState, now: number): string[] {
  const lines: string[] = [];
  const report = choiceReport(state);
  for (const move of report.failovers) lines.push(failoverLine(move, now));
  for (const id of state.order) {
    const step = state.steps[id];
    if (!step?.candidates) continue;
    lines.push(`candidates of step ${String(step.label)} (pick: ${step.pick ?? 'best'}):`);
    lines.push(...candidateLines(state, step).map((line) => `  ${line}`));
  }
  for (const parked of report.parked) lines.push(parkedStepText(parked.stepId, parked, now));
  return [...lines, ...parkedAgents(state, now)];
}
