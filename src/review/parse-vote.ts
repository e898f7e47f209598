/**
 * A reviewer's vote from its answer: a JSON object `{vote, confidence, reason, evidence}`. Read tolerantly
 * only in whitelisted ways (inside a code fence; the last balanced object after prose), then validated
 * strictly. Nothing is repaired: a malformed vote is discarded (MAKER's red-flagging: repairs correlate
 * errors), and the reviewer abstains.
 */
import { z } from 'zod';
import { balancedObjects } from '../support/balanced-objects.js';

export interface ParsedVote {
  vote: 'approve' | 'reject';
  confidence: number;
  reason: string;
  evidence: string[];
}

export type ParseVoteResult = { ok: true; vote: ParsedVote } | { ok: false; problem: string };

const voteSchema = z.object({
  vote: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(['approve', 'reject'], { error: 'vote must be "APPROVE" or "REJECT"' })),
  confidence: z.number({ error: 'confidence must be a number' }).min(0).max(1),
  reason: z.string().trim().min(1, 'reason is empty').max(4_000),
  evidence: z.array(z.string().max(2_000)).max(20).default([]),
});

/** Longest answer read; anything longer is a runaway, not a vote. */
const maxAnswerChars = 200_000;

export function parseVote(answer: string): ParseVoteResult {
  if (answer.length > maxAnswerChars)
    return { ok: false, problem: `the answer is ${answer.length} characters long` };
  const candidates = jsonCandidates(answer);
  if (candidates.length === 0) return { ok: false, problem: 'the answer holds no JSON object' };
  let problem = 'the answer holds no vote object';
  // The vote is the last object that parses: reviewers may quote JSON from the diff before it.
  for (const candidate of candidates.reverse()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || !('vote' in parsed)) continue;
    const result = voteSchema.safeParse(parsed);
    if (result.success) return { ok: true, vote: result.data };
    problem = result.error.issues
      .map((issue) => `${issue.path.join('.') || 'vote'}: ${issue.message}`)
      .join('; ');
    return { ok: false, problem };
  }
  return { ok: false, problem };
}

/** Every balanced top-level `{…}` of the whole answer, in order, then those inside fenced blocks. */
function jsonCandidates(answer: string): string[] {
  const fenced = [...answer.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return [...balancedObjects(answer), ...fenced.flatMap((block) => balancedObjects(block))];
}
