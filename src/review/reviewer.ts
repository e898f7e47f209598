/** One member of the swarm: asked about the evidence, it answers with text that should end in a vote. */
import type { StepFailure } from '../agents/agent.js';

export interface ReviewQuestion {
  /** The evidence as every reviewer sees it. */
  evidence: string;
  runId: string;
  stepId: string;
  attempt: number;
  /** Where CLI reviewers run: the step's directory. */
  cwd: string;
  /** This reviewer's place in the swarm, e.g. `claude` or `reviewer#2`. */
  slot: string;
  signal: AbortSignal;
}

export interface ReviewerAnswer {
  result: { ok: true; text: string } | { ok: false; failure: StepFailure };
  /** Model calls of the protocol that were made (3 for chat reviewers, 1 for CLI agents). */
  calls: number;
  /** Requests sent, retries after 429s and errors included. */
  requests: number;
  /** 429s received. */
  rateLimited: number;
}

export interface Reviewer {
  readonly name: string;
  readonly kind: 'chat' | 'agent';
  /** What answers (adapter, model, endpoint): part of the cache key, so another model is another review. */
  readonly identity: string;
  ask(question: ReviewQuestion): Promise<ReviewerAnswer>;
}
