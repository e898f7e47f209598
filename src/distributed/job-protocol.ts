/**
 * What travels through Redis between a coordinator and its workers, parsed with zod on both sides: a job
 * per step attempt, progress messages while it runs (who took it, its setup's outcome, stream parts), and
 * its result. Code never travels here (git carries it) and neither do credentials: the git token is scoped to
 * one run, API keys stay on each worker.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AgentResult, AgentStreamPart } from '../agents/agent.js';
import { stepDefinitionSchema } from '../engine/event-data-shapes.js';
import type { SetupReport } from '../engine/step-hooks.js';
import type { StepDefinition } from '../protocol/plan-types.js';

/** Bumped when a field changes meaning; a worker fails jobs of another version with the reason. */
export const protocolVersion = 1;

const gitObjectId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full git object id');

/**
 * The step as the log stores it (one schema for its shape), tightened where a foreign or damaged payload
 * could otherwise reach the worker's agent: ids and agent present, retries a count, a timeout positive.
 */
const stepSchema: z.ZodType<StepDefinition> = stepDefinitionSchema.extend({
  id: z.string().min(1),
  agent: z.string().min(1),
  retries: z.number().int().min(0),
  timeoutMs: z.number().positive().optional(),
});

export const attemptJobSchema = z.strictObject({
  protocol: z.literal(protocolVersion),
  runId: z.string().min(1).max(200),
  stepId: z.string().min(1),
  attempt: z.number().int().min(1),
  /** Unique per attempt: the BullMQ job id, and the fencing id of everything the attempt reports. */
  attemptId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  step: stepSchema,
  feedback: z.string().optional(),
  /** The commit the step starts from; the worker checks it out. */
  startCommit: gitObjectId,
  git: z.strictObject({
    /** Where the worker fetches the start commit and pushes its result. */
    url: z.string().min(1).max(4096),
    /** Bearer token of the coordinator's git endpoint, scoped to this run; absent for a named remote. */
    token: z.string().min(16).max(200).optional(),
  }),
  /** `workspace.setup` (the plan's or the coordinator's config): run in the worker's checkout before the agent. */
  setup: z.array(z.string().min(1).max(10_000)).max(100).optional(),
});
export type AttemptJob = z.infer<typeof attemptJobSchema>;

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
  costUsd: z.number().optional(),
});

const streamPartSchema: z.ZodType<AgentStreamPart> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session-start'), sessionId: z.string(), model: z.string().optional() }),
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('tool-call'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('tool-result'), id: z.string(), output: z.string(), isError: z.boolean() }),
  z.object({ type: z.literal('usage-report'), usage: usageSchema }),
  z.object({
    type: z.literal('retry-notice'),
    message: z.string(),
    delayMs: z.number().optional(),
    status: z.number().optional(),
    resetAt: z.number().optional(),
  }),
  z.object({ type: z.literal('warning'), message: z.string() }),
  z.object({ type: z.literal('unknown-line'), raw: z.string() }),
]);

/** Who runs an execution of an attempt: a stalled job's re-run is another execution of the same attempt. */
const executionSchema = z.object({
  attemptId: z.string(),
  /** Unique per pick-up of the job by a worker. */
  execution: z.string(),
  /** The worker's name (`--name`). */
  worker: z.string(),
  /** Its machine's host name (absent from workers of an earlier build). */
  host: z.string().optional(),
  /**
   * A digest of the job lock the execution holds (never the lock itself, which completes the job): after a
   * stall, the coordinator compares it with the job's current lock to set a stale execution's reports aside.
   */
  lock: z.string().max(64).optional(),
});

const failureSchema = z.object({
  code: z.enum([
    'EXIT_CODE',
    'KILLED_BY_SIGNAL',
    'SPAWN_FAILED',
    'ABORTED',
    'TIMEOUT',
    'AGENT_ERROR',
    'AGENT_UNAVAILABLE',
    'AGENT_CRASHED',
    'PROTOCOL_ERROR',
    'RATE_LIMITED',
    'USAGE_LIMIT',
    'AUTH_FAILED',
    'MODEL_ERROR',
    'REVIEW_REJECTED',
    'SETUP_FAILED',
    'INTERNAL',
  ]),
  kind: z.enum(['transient', 'permanent', 'usage-limit']),
  message: z.string(),
  exitCode: z.number().optional(),
  signal: z.string().optional(),
  outputTail: z.string().optional(),
  resetAt: z.number().optional(),
  apiStatus: z.number().optional(),
});

const setupReportSchema: z.ZodType<Omit<SetupReport, 'portBase'>> = z.object({
  commands: z.array(z.string()),
  durationMs: z.number(),
  failure: failureSchema.optional(),
});

export const attemptProgressSchema = executionSchema.extend({
  /** Stream parts since the last message, in order. */
  parts: z.array(streamPartSchema).max(10_000),
  /** Process groups serving the attempt on the worker (for views; never reaped by the coordinator). */
  processes: z.array(z.object({ pid: z.number().int(), pgid: z.number().int() })).optional(),
  /**
   * What the job's `setup` did, sent the moment it ends (before the agent starts): the coordinator records it
   * then, so the run's log has it where local mode does.
   */
  setup: setupReportSchema.optional(),
});
export type AttemptProgress = z.infer<typeof attemptProgressSchema>;

const outcomeDetails = {
  usage: usageSchema.optional(),
  sessionId: z.string().optional(),
  filesChanged: z.array(z.string()).optional(),
};

const agentResultSchema: z.ZodType<AgentResult> = z.union([
  z.object({ ok: z.literal(true), output: z.string(), ...outcomeDetails }),
  z.object({ ok: z.literal(false), failure: failureSchema, ...outcomeDetails }),
]);

export const attemptResultSchema = executionSchema.extend({
  result: agentResultSchema,
  /** The worker's commit of everything the agent changed (its first parent is the start commit). */
  resultCommit: gitObjectId.optional(),
  /** Where the worker pushed it. */
  resultRef: z.string().optional(),
  /**
   * What the job's `setup` did in the worker's checkout (a failure is also the result's): the same report as
   * the progress message, recorded from here only when that message was missed (the coordinator was away).
   */
  setup: setupReportSchema.optional(),
});
export type AttemptResult = z.infer<typeof attemptResultSchema>;
export type SetupOutcome = z.infer<typeof setupReportSchema>;

/** One BullMQ queue per agent name (names may hold any printable text; queue names may not hold `:`). */
export function queueNameOf(agent: string): string {
  return `agent-${encodeURIComponent(agent)}`;
}

/** Where the coordinator offers an attempt's start commit on a named remote. */
export function startRefOf(runId: string, attemptId: string): string {
  return `refs/ai-collab/${runId}/starts/${attemptId}`;
}

/** Where an execution of an attempt pushes its result: its own ref, so a late duplicate cannot overwrite. */
export function resultRefOf(runId: string, attemptId: string, execution: string): string {
  return `refs/ai-collab/${runId}/attempts/${attemptId}/${execution}`;
}

/** The digest of a job lock token that progress messages carry (see `lock` above). */
export function lockDigestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** A short reason for a payload that does not parse, naming the fields. */
export function payloadProblem(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
}
