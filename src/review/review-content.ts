/**
 * `ai-collab review <file|->`: the swarm on code or a diff without a plan. The content is the work the
 * votes must quote; the verdict and every vote come back for the command to print.
 */
import { capText, evidenceLimits, looksLikeDiff, type ReviewEvidence } from './evidence.js';
import type { ReviewOutcome, ReviewSwarm } from './review-swarm.js';
import type { ReviewVote } from './run-swarm.js';

export interface ContentReviewRequest {
  content: string;
  /** The file's path, or `-` / `stdin`. */
  source: string;
  /** What the change is meant to do, when known; otherwise a general review. */
  task?: string;
  /** Whether the content is a unified diff; detected from the content when not said. */
  kind?: 'diff' | 'code';
  /** The code's language, when known (named in the task). */
  language?: string;
  /** Where CLI reviewers run. */
  cwd: string;
  signal: AbortSignal;
  onVote?(vote: ReviewVote, cached: boolean): void;
}

export interface ContentReview extends ReviewOutcome {
  kind: 'diff' | 'code';
}

export function contentEvidence(
  request: Pick<ContentReviewRequest, 'content' | 'source' | 'task' | 'kind' | 'language'>,
): {
  evidence: ReviewEvidence;
  kind: 'diff' | 'code';
} {
  const kind = request.kind ?? (looksLikeDiff(request.content) ? 'diff' : 'code');
  const language = request.language ? ` (${request.language})` : '';
  const task =
    request.task ??
    (kind === 'diff'
      ? `Review this change${language} for correctness, bugs, security problems and unfinished work.`
      : `Review the code of ${request.source}${language} for correctness, bugs and security problems.`);
  return {
    kind,
    evidence: {
      sections: [
        { title: 'TASK', role: 'task', text: task },
        {
          title: kind === 'diff' ? `CHANGES: unified diff from ${request.source}` : `FILE ${request.source}`,
          role: 'work',
          text: capText(request.content, evidenceLimits.workChars),
        },
      ],
    },
  };
}

export async function reviewContent(
  swarm: ReviewSwarm,
  request: ContentReviewRequest,
): Promise<ContentReview> {
  const { evidence, kind } = contentEvidence(request);
  const outcome = await swarm.review({
    evidence,
    runId: 'review',
    stepId: 'content',
    attempt: 1,
    cwd: request.cwd,
    signal: request.signal,
    ...(request.onVote && { onVote: request.onVote }),
  });
  return { ...outcome, kind };
}
