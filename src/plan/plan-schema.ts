/** The strict schemas of both accepted plan shapes: ours and the seed's `PlanResponse`. */
import { z } from 'zod';
import { pickModes, stepActions } from '../protocol/plan-types.js';
import { describeCharacter, findControlCharacter } from '../support/control-characters.js';
import { budgetSchema } from './budget-schema.js';
import { type DurationRules, parseDuration } from './parse-duration.js';
import type { PlanLimits } from './plan-limits.js';

/** A duration field of a plan or the configuration, read into milliseconds. */
export function durationField(rules: DurationRules = {}) {
  return z
    .union([z.string(), z.number()], { error: 'a duration such as 10s or 500ms' })
    .transform((value, context) => {
      const parsed = parseDuration(value, rules);
      if (parsed.ok) return parsed.ms;
      context.addIssue({ code: 'custom', message: parsed.reason });
      return z.NEVER;
    });
}

/**
 * A string that names something or reaches a process: no control or bidirectional formatting characters
 * (with `allowLayout`, tab and line feed may stay). Such a character would crash the step (NUL cannot be
 * passed to a process) or make a terminal or a reviewer see something else than what is there.
 */
export function printableText(schema: z.ZodString, what: string, options: { allowLayout?: boolean } = {}) {
  const allowed = options.allowLayout ? ' (tabs and line feeds are fine)' : '';
  // refine, not superRefine: it keeps validating a 100,000-step plan several times faster.
  return schema.refine((value) => findControlCharacter(value, options) === undefined, {
    error: (issue) =>
      `contains the character ${describeCharacter(findControlCharacter(String(issue.input), options) ?? '')}; ${what} must be printable text${allowed}, so remove it`,
  });
}

/** Free text (prompts, commands, descriptions): anything printable or layout, but never NUL. */
function withoutNul(schema: z.ZodString) {
  return schema.refine(
    (value) => !value.includes('\0'),
    'contains the character U+0000 (NUL), which no process can be given; remove it',
  );
}

/** `workspace.setup` of a plan or the configuration: one command or a list, always read as a list. */
export function setupCommands(command: z.ZodType<string>) {
  return z
    .union([command, z.array(command).min(1, 'give at least one command, or leave setup out').max(20)], {
      error: 'a command such as "npm ci", or a list of commands',
    })
    .transform((value) => (typeof value === 'string' ? [value] : value));
}
/** More candidates than this cost more than they find. */
export const maxCandidates = 8;

const riskSeverity = z.enum(['low', 'medium', 'high', 'critical']);
const riskCategory = z.enum([
  'breaking-change',
  'security',
  'performance',
  'compatibility',
  'data-loss',
  'other',
]);
const score = z.number().min(0).max(1);
/** A planner's confidence, in both shapes. */
const confidence = z.strictObject({
  taskClarity: score,
  contextSufficiency: score,
  approachConfidence: score,
  executionFeasibility: score,
  overall: score,
});

/** The field schemas both plan shapes build on, bounded by the limits. */
function fieldsFor(limits: PlanLimits) {
  const stepId = z.union([
    printableText(z.string().min(1, 'a step id cannot be empty').max(limits.maxIdLength), 'a step id'),
    z.number().int('a numeric step id must be a whole number').nonnegative(),
  ]);
  const backoff = z.strictObject({
    initial: durationField().optional(),
    max: durationField().optional(),
    factor: z.number().min(1).max(10).optional(),
  });
  const env = z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment name is letters, digits and _'),
      printableText(z.string().max(limits.maxTextBytes), 'an environment value', { allowLayout: true }),
    )
    .refine((record) => Object.keys(record).length <= 200, 'at most 200 environment variables per step');
  return {
    limits,
    stepId,
    text: withoutNul(z.string().max(limits.maxTextBytes)),
    backoff,
    env,
    retries: z.number().int().min(0).max(100),
    agentName: printableText(z.string().min(1).max(200), 'an agent name'),
    command: (what: string) =>
      withoutNul(z.string().trim().min(1, `${what} cannot be empty`).max(limits.maxCommandBytes)),
  };
}
type PlanFields = ReturnType<typeof fieldsFor>;

function nativeStepSchema({ limits, stepId, text, backoff, env, retries, agentName, command }: PlanFields) {
  return z.strictObject({
    id: stepId,
    agent: agentName.optional(),
    action: z.enum(stepActions).optional(),
    target: text.optional(),
    description: text.optional(),
    prompt: text.optional(),
    run: withoutNul(
      z.string().min(1, 'a shell command cannot be empty').max(limits.maxCommandBytes),
    ).optional(),
    needs: z.array(stepId).max(limits.maxNeedsPerStep).optional(),
    inputs: z.array(stepId).max(limits.maxNeedsPerStep).optional(),
    retries: retries.optional(),
    backoff: backoff.optional(),
    timeout: durationField({ positive: true }).optional(),
    estimate: durationField().optional(),
    review: z.boolean().optional(),
    isolate: z.boolean().optional(),
    env: env.optional(),
    check: command('a check command').optional(),
    /** Best-of-N: the same agent N times, or one candidate per agent listed. */
    candidates: z
      .number()
      .int()
      .min(2, 'at least 2 candidates; for one, leave candidates: out')
      .max(maxCandidates, `at most ${maxCandidates} candidates`)
      .optional(),
    agents: z
      .array(agentName)
      .min(2, 'at least 2 agents; for one, use agent:')
      .max(maxCandidates, `at most ${maxCandidates} candidates`)
      .optional(),
    pick: z.enum(pickModes).optional(),
    fallback: z.array(agentName).min(1).max(10).optional(),
    budget: budgetSchema.optional(),
  });
}

function nativePlanSchema(fields: PlanFields) {
  const { limits, stepId, text, backoff, env, retries, agentName, command } = fields;
  return z.strictObject({
    name: printableText(z.string().min(1).max(limits.maxIdLength), 'a plan name').optional(),
    description: text.optional(),
    /** Why this plan (a planner's reasoning), shown at approval. */
    rationale: text.optional(),
    risks: z
      .array(
        z.strictObject({
          severity: riskSeverity,
          category: riskCategory,
          description: text,
          mitigation: text,
          affectedSteps: z.array(stepId).optional(),
        }),
      )
      .max(100)
      .optional(),
    confidence: confidence.optional(),
    concurrency: z.number().int().min(1).max(4096).optional(),
    budget: budgetSchema.optional(),
    defaults: z
      .strictObject({
        agent: agentName.optional(),
        retries: retries.optional(),
        timeout: durationField({ positive: true }).optional(),
        backoff: backoff.optional(),
        estimate: durationField().optional(),
        review: z.boolean().optional(),
        env: env.optional(),
      })
      .optional(),
    workspace: z
      .strictObject({
        /** Run in each fresh worktree before its agent starts (`npm ci`), one command or a list. */
        setup: setupCommands(command('a setup command')).optional(),
      })
      .optional(),
    steps: z.array(nativeStepSchema(fields)),
  });
}

/** The seed's PlanResponse (src/types.ts of the original extension), accepted exactly as it was emitted. */
function seedPlanSchema({ limits, stepId, text, agentName }: PlanFields) {
  const seedStep = z.strictObject({
    id: stepId,
    action: z.enum(stepActions),
    target: text,
    description: text,
    assignedAgent: agentName,
    status: z.enum(['pending', 'in-progress', 'completed', 'failed', 'skipped']).optional(),
    inputs: z.array(stepId).max(limits.maxNeedsPerStep).optional(),
    outputs: z.array(text).optional(),
    output: text.optional(),
    error: text.optional(),
  });
  const seedRisk = z.strictObject({
    severity: riskSeverity,
    category: riskCategory,
    description: text,
    mitigation: text,
    affectedSteps: z.array(stepId),
  });
  const approach = z.strictObject({
    approach: text,
    pros: z.array(text),
    cons: z.array(text),
    rejected: z.boolean().optional(),
    rejectionReason: text.optional(),
  });
  return z.strictObject({
    planId: printableText(z.string().max(limits.maxIdLength), 'a plan id').optional(),
    analysis: z
      .strictObject({
        understanding: text,
        constraints: z.array(text),
        approaches: z.array(approach),
        chosenApproach: text,
        rationale: text,
      })
      .optional(),
    steps: z.array(seedStep),
    dependencies: z.array(text).optional(),
    risks: z.array(seedRisk).optional(),
    confidence: confidence.optional(),
    estimatedTokens: z.number().nonnegative().optional(),
    requiresApproval: z.boolean().optional(),
  });
}

function schemasFor(limits: PlanLimits) {
  const fields = fieldsFor(limits);
  return { nativePlan: nativePlanSchema(fields), seedPlan: seedPlanSchema(fields) };
}

export type PlanSchemas = ReturnType<typeof schemasFor>;
export type NativePlanInput = z.output<PlanSchemas['nativePlan']>;
export type SeedPlanInput = z.output<PlanSchemas['seedPlan']>;

const cache = new Map<PlanLimits, PlanSchemas>();

export function planSchemas(limits: PlanLimits): PlanSchemas {
  let schemas = cache.get(limits);
  if (!schemas) {
    schemas = schemasFor(limits);
    cache.set(limits, schemas);
  }
  return schemas;
}

// `risks` and `confidence` exist in both shapes (the planner writes them into native plans too).
const seedOnlyKeys = ['planId', 'analysis', 'dependencies', 'estimatedTokens', 'requiresApproval'];

/** A document is in the seed's shape when it carries a seed-only key or its steps use `assignedAgent`. */
export function looksLikeSeedPlan(document: Record<string, unknown>): boolean {
  if (seedOnlyKeys.some((key) => key in document)) return true;
  const steps = document.steps;
  if (!Array.isArray(steps)) return false;
  const first: unknown = steps[0];
  return typeof first === 'object' && first !== null && 'assignedAgent' in first;
}
