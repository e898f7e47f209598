/**
 * What became of work the reviewers approved, read from a run's event log: the reviewers' record learns from
 * it as well as from the verdicts (reviewer-reliability). Approved work whose `check:` then failed, or whose
 * step failed in the end, did not hold: its approvers were wrong and its dissenters right. Approved work that
 * merged in a run that succeeded held. Rejected work never lands, so it has no later outcome to learn from.
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
  /** Known once something later decided it; undefined while the run may still show either. */
  held?: boolean;
}

/** The outcomes of a run's approved reviews, in the order the log decided them. */
export function reviewOutcomes(events: Iterable<LoggedEvent>): ReviewOutcome[] {
  const votes = new Map<string, RecordedVote[]>();
  const approvals = new Map<string, Approval[]>();
  let runSucceeded = false;
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
      case 'step.attempt-failed':
      case 'step.failed': {
        const { stepId, attempt, error } = event.data;
        for (const approval of approvals.get(stepId) ?? []) {
          if (approval.held !== undefined) continue;
          // Its own check failing proves the approved work wrong; the step failing in the end does too.
          if ((approval.attempt === attempt && error.code === 'CHECK_FAILED') || event.type === 'step.failed')
            approval.held = false;
        }
        break;
      }
      case 'run.finished':
        runSucceeded = event.data.status === 'succeeded';
        break;
      default:
        break;
    }
  }
  const outcomes: ReviewOutcome[] = [];
  for (const [stepId, list] of approvals) {
    for (const approval of list) {
      const held = approval.held ?? (runSucceeded ? true : undefined);
      if (held !== undefined && approval.votes.length > 0)
        outcomes.push({ stepId, attempt: approval.attempt, votes: approval.votes, held });
    }
  }
  return outcomes;
}
