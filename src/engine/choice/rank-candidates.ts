/**
 * Which candidate of a best-of-N step wins. A candidate passes when it succeeded: its agent finished, its
 * check (if any) and its review passed, and its change was kept. Among those, `best` prefers the higher
 * review score, then a candidate that changed something, then the cheaper, then the one that finished
 * first; `first` takes the one that finished first. Pure: the same state always picks the same candidate.
 */
import type { CandidateRanking } from '../events.js';
import type { RunState, StepState } from '../run-state.js';

export interface CandidateChoice {
  /** The winner, or undefined when no candidate passed. */
  picked?: string;
  /** Every candidate, best first; those that did not pass last, each with why. */
  ranking: CandidateRanking[];
}

export function rankCandidates(state: Readonly<RunState>, pickStep: StepState): CandidateChoice {
  const mode = pickStep.pick ?? 'best';
  const entries = (pickStep.candidates ?? []).flatMap((id) => {
    const candidate = state.steps[id];
    return candidate ? [candidate] : [];
  });
  const passing = entries.filter((candidate) => candidate.status === 'succeeded');
  const ordered = [...passing].sort(mode === 'first' ? byFinish : byMerit);
  const others = entries.filter((candidate) => candidate.status !== 'succeeded');
  const ranking = [
    ...ordered.map((candidate, position) =>
      rankingOf(candidate, true, passReason(candidate, position, mode)),
    ),
    ...others.map((candidate) => rankingOf(candidate, false, failReason(candidate))),
  ];
  const picked = ordered[0]?.id;
  return { ranking, ...(picked !== undefined && { picked }) };
}

/** The reviewers' approval share of a candidate's accepted change, when it was reviewed. */
export function scoreOf(candidate: StepState): number | undefined {
  const share = Number(candidate.stageDetail?.review?.approvalShare ?? Number.NaN);
  return Number.isFinite(share) ? share : undefined;
}

function changed(candidate: StepState): boolean {
  return candidate.resultCommit !== undefined;
}

function byMerit(left: StepState, right: StepState): number {
  const score = (scoreOf(right) ?? 0) - (scoreOf(left) ?? 0);
  if (score !== 0) return score;
  if (changed(left) !== changed(right)) return changed(left) ? -1 : 1;
  const cost =
    (left.usage?.costUsd ?? Number.POSITIVE_INFINITY) - (right.usage?.costUsd ?? Number.POSITIVE_INFINITY);
  if (Number.isFinite(cost) && cost !== 0) return cost;
  return byFinish(left, right);
}

function byFinish(left: StepState, right: StepState): number {
  const finish =
    (left.finishedAt ?? Number.POSITIVE_INFINITY) - (right.finishedAt ?? Number.POSITIVE_INFINITY);
  if (Number.isFinite(finish) && finish !== 0) return finish;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

function rankingOf(candidate: StepState, passed: boolean, reason: string): CandidateRanking {
  const score = scoreOf(candidate);
  const cost = candidate.usage?.costUsd;
  return {
    stepId: candidate.id,
    agent: candidate.agent,
    status: candidate.status,
    passed,
    reason,
    ...(score !== undefined && { score }),
    ...(cost !== undefined && { costUsd: cost }),
  };
}

function passReason(candidate: StepState, position: number, mode: 'best' | 'first'): string {
  const score = scoreOf(candidate);
  const scored = score === undefined ? 'not reviewed' : `review score ${score.toFixed(2)}`;
  const what = changed(candidate) ? scored : `${scored}, changed nothing`;
  if (mode === 'first') return position === 0 ? `passed first (${what})` : `passed later (${what})`;
  return position === 0 ? `best passing candidate (${what})` : `passed, ranked ${position + 1} (${what})`;
}

function failReason(candidate: StepState): string {
  if (candidate.status === 'failed')
    return `did not pass: ${candidate.error?.message ?? 'failed'}`.slice(0, 500);
  if (candidate.status === 'cancelled') return 'cancelled: another candidate was picked first';
  return `did not pass (${candidate.status})`;
}
