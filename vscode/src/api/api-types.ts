/**
 * The server's JSON answers the extension reads. Wire types of the stream come from the server's own
 * protocol module (type-only imports, nothing is bundled); answers are checked at the boundary.
 */
import type { CostRange, PlanForecast } from '../../../src/engine/budget/forecast.js';
import type { RunState } from '../../../src/engine/run-state.js';
import type { Budget } from '../../../src/protocol/plan-types.js';
import type { RunSummary, ServerMessage, WireEvent } from '../../../src/server/stream/stream-protocol.js';

export type { StepState, StepStatus } from '../../../src/engine/run-state.js';
export type { Budget, CostRange, PlanForecast, RunState, RunSummary, ServerMessage, WireEvent };

export interface Health {
  ok: boolean;
  version: string;
  pid: number;
}

export interface PlannedRun {
  runId: string;
  status: string;
  steps?: number | unknown[];
  confidence?: number | Record<string, unknown>;
  risks?: unknown[];
}

export interface StartedRun {
  runId: string;
  status: string;
}

export interface ReviewVote {
  reviewer: string;
  vote: string;
  confidence: number;
  reason: string;
}

export interface ReviewResult {
  verdict: 'approved' | 'rejected';
  score: number;
  votes: ReviewVote[];
  /** Set when the review could not be made (too many abstentions); it is then never an approval. */
  problem?: string;
}

export interface PlanText {
  status: string;
  yaml: string;
  /** What the steps still to run will likely cost, from past steps (the server's one forecast). */
  forecast?: PlanForecast;
  budget?: Budget;
}

export interface LoginLink {
  url: string;
  expiresAt: number;
}

export interface ReviewInput {
  code?: string;
  diff?: string;
  path?: string;
  language?: string;
}
