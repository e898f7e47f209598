/**
 * The zod schema of every event type: how `EventDecoder` turns stored JSON into a `RunEvent` without a
 * cast. The TypeScript types stay the truth in `events.ts` (browser-safe, so the dashboard does not bundle
 * zod); the compiler proves each schema describes exactly its type (`schemasAgree` below), so a field added
 * to one and not the other, a type without a schema or a schema without a type fails `npm run typecheck`,
 * naming the event type.
 *
 * Fields added after a type first shipped are optional in its type (DESIGN.md: events are only ever added,
 * never changed in meaning), so logs of every earlier version parse; a later required field would need a
 * default here (`.default(…)` makes the schema's input optional and keeps its output the type's).
 */
import { z } from 'zod';
import { ownerIdentitySchema } from '../store/owner-schema.js';
import {
  approvalDecisionSchema,
  attemptKey,
  budgetSchema,
  candidateRankingSchema,
  planDefinitionSchema,
  processInfoSchema,
  reviewVoteSchema,
  runAppliedSchema,
  runDiscardedSchema,
  setupFinishedSchema,
  spendSchema,
  stageNameSchema,
  stepDefinitionSchema,
  stepErrorInfoSchema,
  stepUsageSchema,
  stringRecordSchema,
  workerPlacementSchema,
} from './event-data-shapes.js';
import type { EventData, RunEventType } from './events.js';

/** Events whose data is `{}` (the type says `Record<string, never>`): extra keys are dropped, not refused. */
const noData = z.object({});

/** A stored event of one type, as the decoder hands it over: its place in the log and its data. */
function event<Type extends string, Data extends z.ZodType>(type: Type, data: Data) {
  return z.object({ type: z.literal(type), runId: z.string(), seq: z.number(), at: z.number(), data });
}

const storedEventSchema = z.discriminatedUnion('type', [
  event(
    'run.created',
    z.object({
      plan: planDefinitionSchema,
      workspace: z.string(),
      planFile: z.string().nullable(),
      concurrency: z.number(),
      failFast: z.boolean(),
    }),
  ),
  event('run.approval-requested', z.object({ reason: z.string() })),
  event('run.approval-decided', approvalDecisionSchema),
  event('run.plan-replaced', z.object({ plan: planDefinitionSchema, by: z.string() })),
  event('run.approved', z.object({ by: z.string() })),
  event('run.rejected', z.object({ by: z.string(), reason: z.string().optional() })),
  event('run.started', z.object({ owner: ownerIdentitySchema, resumed: z.boolean() })),
  event('run.workspace-prepared', z.object({ detail: stringRecordSchema })),
  event('run.workspace-finished', z.object({ summary: z.record(z.string(), z.unknown()) })),
  event('run.paused', noData),
  event('run.budget-set', z.object({ budget: budgetSchema, by: z.string() })),
  event('run.budget-reached', z.object({ budget: budgetSchema, spent: spendSchema, waiting: z.number() })),
  event('run.resumed', noData),
  event('run.interrupted', z.object({ reason: z.string() })),
  event('run.finished', z.object({ status: z.enum(['succeeded', 'failed', 'cancelled']) })),
  event('run.applied', runAppliedSchema),
  event('run.discarded', runDiscardedSchema),
  event('step.started', z.object({ ...attemptKey, agent: z.string() })),
  event('step.worker-assigned', z.object({ ...attemptKey, ...workerPlacementSchema.shape })),
  event('step.process-started', z.object({ ...attemptKey, process: processInfoSchema, logFile: z.string() })),
  event(
    'step.succeeded',
    z.object({
      ...attemptKey,
      durationMs: z.number(),
      output: z.string().optional(),
      usage: stepUsageSchema.optional(),
      sessionId: z.string().optional(),
      filesChanged: z.array(z.string()).optional(),
      startCommit: z.string().optional(),
      resultCommit: z.string().optional(),
    }),
  ),
  event(
    'step.attempt-failed',
    z.object({
      ...attemptKey,
      error: stepErrorInfoSchema,
      retryAt: z.number(),
      usage: stepUsageSchema.optional(),
      feedback: z.string().optional(),
    }),
  ),
  event(
    'step.failed',
    z.object({ ...attemptKey, error: stepErrorInfoSchema, usage: stepUsageSchema.optional() }),
  ),
  event('step.interrupted', z.object({ ...attemptKey, reason: z.string() })),
  event(
    'step.workspace-prepared',
    z.object({
      ...attemptKey,
      cwd: z.string(),
      detail: stringRecordSchema.optional(),
    }),
  ),
  event('step.stage-started', z.object({ ...attemptKey, stage: stageNameSchema })),
  event(
    'step.stage-passed',
    z.object({ ...attemptKey, stage: stageNameSchema, detail: stringRecordSchema.optional() }),
  ),
  event('step.setup-finished', setupFinishedSchema),
  event('step.review-vote', z.object({ ...attemptKey, ...reviewVoteSchema.shape })),
  event(
    'step.conflicted',
    z.object({
      ...attemptKey,
      files: z.array(z.string()),
      message: z.string(),
      resolvedBy: z.string().optional(),
    }),
  ),
  event('step.added', z.object({ step: stepDefinitionSchema, resolves: z.string() })),
  event('step.resolved', z.object({ stepId: z.string(), by: z.string() })),
  event('step.retry-requested', z.object({ stepId: z.string(), by: z.string() })),
  event(
    'step.parked',
    z.object({
      ...attemptKey,
      until: z.number(),
      reason: z.string(),
      agent: z.string().optional(),
      window: z.string().optional(),
    }),
  ),
  event(
    'step.failed-over',
    z.object({
      stepId: z.string(),
      from: z.string(),
      to: z.string(),
      cause: z.enum(['usage-limit', 'unusable', 'crash-loop']),
      reason: z.string(),
      until: z.number().optional(),
      window: z.string().optional(),
    }),
  ),
  event(
    'step.candidate-picked',
    z.object({
      ...attemptKey,
      candidate: z.string(),
      mode: z.enum(['best', 'first']),
      ranking: z.array(candidateRankingSchema),
    }),
  ),
  event('step.cancelled', z.object({ stepId: z.string(), reason: z.string() })),
  event('step.waiting', z.object({ ...attemptKey, reason: z.string() })),
  event('step.waiting-ended', z.object(attemptKey)),
  event(
    'step.stale-report',
    z.object({
      ...attemptKey,
      attemptId: z.string(),
      execution: z.string(),
      worker: z.string(),
      reason: z.string(),
    }),
  ),
]);

export type StoredEventSchema = (typeof storedEventSchema.options)[number];

/**
 * Each type's schema by name: the decoder parses with it directly, which a cold process (a `status`) runs
 * about three times faster than the union's own dispatch.
 */
export const storedEventSchemaOf: ReadonlyMap<string, StoredEventSchema> = new Map(
  storedEventSchema.options.map((schema) => [schema.shape.type.value, schema]),
);

/** Every key required, all the way down: an optional field one side has and the other lacks then differs. */
type DeepRequired<T> = T extends readonly (infer Item)[]
  ? DeepRequired<Item>[]
  : T extends object
    ? { [Key in keyof T]-?: DeepRequired<T[Key]> }
    : T;

type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * The schema's output and the type agree: each assignable to the other (same fields, same optionality),
 * and still so with every field required (no optional field on one side only, which zod would drop).
 */
type Agrees<Output, Type> =
  MutuallyAssignable<Output, Type> extends true
    ? MutuallyAssignable<DeepRequired<Output>, DeepRequired<Type>>
    : false;

type StoredEventOutput = z.output<typeof storedEventSchema>;

/** The event types whose schema and type disagree, or that only one side has (`never` when all agree). */
type Disagreeing =
  | {
      [T in RunEventType]: Agrees<Extract<StoredEventOutput, { type: T }>['data'], EventData<T>> extends true
        ? never
        : T;
    }[RunEventType]
  | Exclude<StoredEventOutput['type'], RunEventType>;

/** Fails to compile, naming the event type, when a schema and its type drift apart. */
export const schemasAgree: [Disagreeing] extends [never] ? true : Disagreeing = true;
