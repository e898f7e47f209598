/** `ai-collab review` as text: the verdict line, then each vote with its confidence, reason and quotes. */
import pc from 'picocolors';
import type { CodeReview } from '../../review/review-code.js';
import type { ReviewVote } from '../../review/run-swarm.js';
import { terminalSafe } from '../../support/control-characters.js';
import { voteMark } from './vote-style.js';

export function reviewText(review: CodeReview, source: string): string {
  const { result, rule, tally } = review;
  const verdict =
    review.verdict === 'approved'
      ? pc.green('APPROVED')
      : review.verdict === 'rejected'
        ? pc.red('REJECTED')
        : pc.red('NOT APPROVED (the review could not be made)');
  const how = review.cached
    ? 'answered from the cache: an identical review was made before, no model call'
    : `${result.calls} model call(s)${review.stoppedEarly ? ', stopped early once the verdict was settled' : ''}`;
  const lines = [
    `${verdict}  ${terminalSafe(source)} (${review.kind})`,
    `score ${result.score.toFixed(2)} (approval share of the confidence-weighted votes; ${rule.threshold} needed)`,
    `votes: ${tally.approvals} approve, ${tally.rejections} reject, ${tally.abstentions} abstain · ${how}`,
  ];
  if (result.problem) lines.push(pc.red(terminalSafe(result.problem)));
  lines.push('');
  for (const vote of review.votes) lines.push(...voteLines(vote));
  return `${lines.join('\n')}\n`;
}

function voteLines(vote: ReviewVote): string[] {
  const lines = [
    `  ${voteMark(vote.vote, pc)}  ${terminalSafe(vote.reviewer)}  confidence ${vote.confidence.toFixed(2)}`,
    `           ${terminalSafe(vote.reason)}`,
  ];
  for (const quote of vote.evidence.slice(0, 3)) lines.push(pc.dim(`           quotes: "${oneLine(quote)}"`));
  return lines;
}

function oneLine(text: string): string {
  const line = terminalSafe(text.replace(/\s+/g, ' ').trim());
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
