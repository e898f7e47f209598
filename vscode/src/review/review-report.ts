/** The review swarm's answer as text for the "AI Collab: Review" output channel. */
import type { ReviewResult } from '../api/api-types.js';

export function formatReviewReport(result: ReviewResult, source: string): string {
  const verdict = result.verdict === 'approved' ? 'APPROVED' : 'REJECTED';
  const lines = [
    `Review of ${source}: ${verdict} (approval score ${formatShare(result.score)}, ${result.votes.length} vote${result.votes.length === 1 ? '' : 's'})`,
  ];
  if (result.problem) lines.push(`Not an approval: ${result.problem}`);
  for (const vote of result.votes) {
    lines.push(
      `  - ${vote.reviewer}: ${vote.vote} (confidence ${formatShare(vote.confidence)}) ${oneLine(vote.reason)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function reviewHeadline(result: ReviewResult): string {
  const verdict = result.verdict === 'approved' ? 'approved' : 'rejected';
  return `AI Collab review: ${verdict} (score ${formatShare(result.score)}, ${result.votes.length} votes)`;
}

function formatShare(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '?';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 399)}…` : flat;
}
