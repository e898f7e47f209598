/** `status`'s review section: per reviewed step, the verdict and score, then each vote with its reason. */
import type { Colors } from 'picocolors/types.js';
import type { RunState, StepState } from '../../engine/run-state.js';
import { terminalSafe } from '../../support/control-characters.js';
import { oneLine } from '../../support/one-line.js';
import { type StepReview, stepReview } from '../step-review.js';
import { voteMark } from './vote-style.js';

/** Reasons are clipped so one verbose reviewer cannot push the rest off the screen. */
const reasonLimit = 300;

/** The review section, or '' when no step of the run was reviewed. */
export function renderStepReviews(state: RunState, colors: Colors): string {
  const blocks = state.order.flatMap((id) => {
    const step = state.steps[id] as StepState;
    const review = stepReview(step);
    return review ? [reviewBlock(terminalSafe(String(step.label)), review, colors)] : [];
  });
  return blocks.length > 0 ? ['Reviews', ...blocks].join('\n') : '';
}

function reviewBlock(label: string, review: StepReview, colors: Colors): string {
  const count = (vote: string) => review.votes.filter((each) => each.vote === vote).length;
  const verdict =
    review.verdict === 'approved'
      ? colors.green('approved')
      : review.verdict === 'pending'
        ? colors.yellow('pending')
        : colors.red(review.verdict);
  const lines = [
    `  ${label}  ${verdict}  score ${review.score.toFixed(2)}  (${count('approve')} approve, ${count('reject')} reject, ${count('abstain')} abstain)`,
  ];
  for (const vote of review.votes) {
    lines.push(
      `    ${voteMark(vote.vote, colors)}  ${terminalSafe(vote.reviewer)}  confidence ${vote.confidence.toFixed(2)}  ${terminalSafe(oneLine(vote.reason, reasonLimit))}`,
    );
  }
  return lines.join('\n');
}
