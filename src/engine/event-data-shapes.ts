/**
 * The zod schemas of the shapes nested in stored events (plans, usage, errors, votes…), for
 * `event-schemas.ts`. They describe what this and every earlier version wrote, not what a plan file may say:
 * the plan's input rules (positive budgets, id syntax, limits) were checked when the plan was loaded, and a
 * log must keep decoding if those rules tighten later. Agreement with the TypeScript types is checked there.
 */
import { z } from 'zod';
import { pickModes, stepActions } from '../protocol/plan-types.js';

export const stringRecordSchema = z.record(z.string(), z.string());

export const budgetSchema = z.object({ usd: z.number().optional(), tokens: z.number().optional() });

const backoffSchema = z.object({ initialMs: z.number(), maxMs: z.number(), factor: z.number() });

export const stepDefinitionSchema = z.object({
  id: z.string(),
  label: z.union([z.string(), z.number()]),
  agent: z.string(),
  action: z.enum(stepActions).optional(),
  target: z.string().optional(),
  description: z.string().optional(),
  prompt: z.string().optional(),
  run: z.string().optional(),
  needs: z.array(z.string()),
  retries: z.number(),
  backoff: backoffSchema,
  timeoutMs: z.number().optional(),
  estimateMs: z.number().optional(),
  review: z.boolean().optional(),
  isolate: z.boolean().optional(),
  env: stringRecordSchema.optional(),
  check: z.string().optional(),
  pick: z.enum(pickModes).optional(),
  candidates: z.array(z.string()).optional(),
  candidateOf: z.string().optional(),
  candidate: z.number().optional(),
  fallback: z.array(z.string()).optional(),
  budget: budgetSchema.optional(),
});

export const planDefinitionSchema = z.object({
  name: z.string(),
  concurrency: z.number().optional(),
  format: z.enum(['native', 'seed']),
  steps: z.array(stepDefinitionSchema),
  meta: z.record(z.string(), z.unknown()).optional(),
  workspace: z.object({ setup: z.array(z.string()).optional() }).optional(),
  budget: budgetSchema.optional(),
});

export const stepErrorInfoSchema = z.object({
  code: z.string(),
  kind: z.string().optional(),
  message: z.string(),
  resetAt: z.number().optional(),
  exitCode: z.number().optional(),
  signal: z.string().optional(),
  outputTail: z.string().optional(),
});

export const stepUsageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
  costUsd: z.number().optional(),
  model: z.string().optional(),
  costSource: z.enum(['reported', 'price-table']).optional(),
  costUnknown: z.boolean().optional(),
});

export const spendSchema = z.object({ usd: z.number(), tokens: z.number(), uncostedTokens: z.number() });

export const reviewVoteSchema = z.object({
  reviewer: z.string(),
  vote: z.enum(['approve', 'reject', 'abstain']),
  confidence: z.number(),
  reason: z.string(),
});

export const candidateRankingSchema = z.object({
  stepId: z.string(),
  agent: z.string(),
  status: z.string(),
  passed: z.boolean(),
  score: z.number().optional(),
  costUsd: z.number().optional(),
  reason: z.string(),
});

export const approvalDecisionSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  by: z.string(),
  reason: z.string().optional(),
  plan: planDefinitionSchema.optional(),
});

export const processInfoSchema = z.object({
  pid: z.number(),
  pgid: z.number(),
  startTime: z.string(),
  bootId: z.string(),
  cgroup: z.string().optional(),
});

export const workerPlacementSchema = z.object({ worker: z.string(), host: z.string() });

export const stageNameSchema = z.enum(['verify', 'check', 'review', 'merge']);

/** The `stepId` and `attempt` most step events start with. */
export const attemptKey = { stepId: z.string(), attempt: z.number() };

export const setupFinishedSchema = z.object({
  ...attemptKey,
  commands: z.array(z.string()),
  durationMs: z.number(),
  ok: z.boolean(),
  portBase: z.number().optional(),
  error: stepErrorInfoSchema.optional(),
});

export const runAppliedSchema = z.object({
  branch: z.string(),
  how: z.enum(['fast-forward', 'merged', 'up-to-date']),
  from: z.string(),
  commit: z.string(),
  files: z.number(),
  by: z.string(),
});

export const runDiscardedSchema = z.object({
  wasApplied: z.boolean(),
  removedBranches: z.number(),
  removedWorktrees: z.number(),
  by: z.string(),
});
