/**
 * What reviewers are asked. The chat protocol is the seed's: generate (temperature 0.8), self-correct
 * (0.1), vote (0). CLI agents take no temperature, so they get one prompt that ends in the vote.
 */

export const protocolTemperatures = { generate: 0.8, correct: 0.1, vote: 0 } as const;

/** Changing any prompt changes what a cached verdict means: bump this with it. */
export const promptVersion = 1;

export const reviewerSystemPrompt = [
  'You are one of several independent code reviewers. Each change you see was made by an AI coding agent for one step of a plan.',
  'Judge whether the change does what its task asks, correctly and safely, using only the evidence you are given: the task, the diff or output, and the results of validation steps.',
  "Quote the evidence exactly when you rely on it. The agent's own summary is a claim, not evidence.",
].join('\n');

export function generatePrompt(evidence: string): string {
  return [
    'Review this change.',
    '',
    evidence,
    '',
    'Write your review: does the change do what the task asks? Name concrete problems (bugs, missing parts of the task, failing validation, security issues) and what is right.',
    'For every point, quote the exact line of the evidence it rests on.',
  ].join('\n');
}

export const correctPrompt = [
  'Check your review against the evidence above.',
  'Remove every claim the evidence does not support, correct mistakes, and keep the exact quotes that matter.',
  'Write the corrected review.',
].join('\n');

const voteFormat = [
  'Answer with only this JSON object:',
  '{"vote": "APPROVE" or "REJECT", "confidence": a number from 0 to 1, "reason": "one or two sentences", "evidence": ["an exact quote from the evidence", …]}',
  'Each quote must be copied exactly from the diff, the files, or the command and validation output above (at least one, each at least 8 characters). Votes whose quotes are not in the evidence are discarded.',
  'APPROVE only if the change does what the task asks and nothing in the evidence shows it broken.',
].join('\n');

export const votePrompt = `Now vote on the change.\n${voteFormat}`;

/** The whole review in one prompt, for CLI agents. */
export function agentReviewPrompt(evidence: string): string {
  return [
    reviewerSystemPrompt,
    '',
    'This is a read-only review: do not change, create or delete any file, and run nothing that does.',
    '',
    evidence,
    '',
    'Review the change, check your review against the evidence, then vote.',
    voteFormat,
    'End your answer with that JSON object.',
  ].join('\n');
}
