/**
 * What became of work the reviewers approved, read from a run's event log: the reviewers' record learns from
 * it as well as from the verdicts (reviewer-reliability). Approved work whose `check:` then failed, or whose
 * step failed in the end, did not hold: its approvers were wrong and its dissenters right. Approved work that
 * merged in a run that succeeded held. Then the person decides: approved work that merged and was applied
 * (`run.applied`) held; approved work that merged in a run discarded without ever being applied
 * (`run.discarded`) did not: the person rejected what its approvers passed. A run's outcome is decided again
 * when its log grows (a succeeded run discarded later turns held into not held; the learner revises it).
 * Rejected work never lands, so it has no later outcome to learn from.
 */
import type { LoggedEvent } from '../engine/decode-events.js';
import type { RecordedVote } from './reviewer-reliability.js';

export interface ReviewOutcome {
  /** The reviewed attempt: an outcome is learned once, however often its run's log is read. */
  stepId: string;
  attempt: number;
  votes: RecordedVote[];
  /** The approved work held (merged, run succeeded) or not (its check failed, its step failed). */
  held: boolean;
}

interface Approval {
  attempt: number;
  votes: RecordedVote[];
  /** Its attempt's work merged into the run branch (the step succeeded with it). */
  merged?: boolean;
  /** Known once something later decided it; undefined while the run may still show either. */
  held?: boolean;
}

/**
 * The event types `reviewOutcomes` reads; it ignores every other type, so a log read with only these (the
 * rest of a run's steps' events skipped in the store) gives the same outcomes. A run with no
 * `step.review-vote` has none at all (an outcome needs the votes it was approved with).
 */
export const outcomeEventTypes = [
  'step.review-vote',
  'step.stage-passed',
  'step.succeeded',
  'step.attempt-failed',
  'step.failed',
  'run.finished',
  'run.applied',
  'run.discarded',
] as const satisfies ReadonlyArray<LoggedEvent['type']>;

/** The outcomes of a run's approved reviews, in the order the log decided them. */
export function reviewOutcomes(events: Iterable<LoggedEvent>): ReviewOutcome[] {
  const votes = new Map<string, RecordedVote[]>();
  const approvals = new Map<string, Approval[]>();
  const run = { succeeded: false, applied: false, discarded: false };
  const key = (stepId: string, attempt: number): string => `${stepId}\u0000${attempt}`;
  for (const event of events) {
    switch (event.type) {
      case 'step.review-vote': {
        const { stepId, attempt, reviewer, vote } = event.data;
        const at = key(stepId, attempt);
        votes.set(at, [...(votes.get(at) ?? []), { reviewer, vote }]);
        break;
      }
      case 'step.stage-passed': {
        const { stepId, attempt, stage, detail } = event.data;
        if (stage !== 'review' || detail?.verdict !== 'approved') break;
        const approved = { attempt, votes: votes.get(key(stepId, attempt)) ?? [] };
        approvals.set(stepId, [...(approvals.get(stepId) ?? []), approved]);
        break;
      }
      case 'step.succeeded':
        for (const approval of approvals.get(event.data.stepId) ?? []) {
          if (approval.attempt === event.data.attempt) approval.merged = true;
        }
        break;
      case 'step.attempt-failed':
      case 'step.failed':
        failApprovals(approvals.get(event.data.stepId) ?? [], event);
        break;
      case 'run.finished':
        run.succeeded = event.data.status === 'succeeded';
        break;
      case 'run.applied':
        run.applied = true;
        break;
      case 'run.discarded':
        // Branches dropped after the work landed reject nothing.
        if (!run.applied && !event.data.wasApplied) run.discarded = true;
        break;
      default:
        break;
    }
  }
  const outcomes: ReviewOutcome[] = [];
  for (const [stepId, list] of approvals) {
    for (const approval of list) {
      const held = approval.held ?? personsDecision(approval, run);
      if (held !== undefined && approval.votes.length > 0)
        outcomes.push({ stepId, attempt: approval.attempt, votes: approval.votes, held });
    }
  }
  return outcomes;
}

function failApprovals(
  approvals: Approval[],
  event: Extract<LoggedEvent, { type: 'step.attempt-failed' | 'step.failed' }>,
): void {
  const { attempt, error } = event.data;
  for (const approval of approvals) {
    if (approval.held !== undefined) continue;
    // Its own check failing proves the approved work wrong; the step failing in the end does too.
    if ((approval.attempt === attempt && error.code === 'CHECK_FAILED') || event.type === 'step.failed')
      approval.held = false;
  }
}

/** What became of approved work nothing failed: applied or discarded by a person, else the run's success. */
function personsDecision(
  approval: Approval,
  run: { succeeded: boolean; applied: boolean; discarded: boolean },
): boolean | undefined {
  if (approval.merged && run.applied) return true;
  if (approval.merged && run.discarded) return false;
  return run.succeeded ? true : undefined;
}
