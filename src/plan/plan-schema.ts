/** The strict schemas of both accepted plan shapes: ours and the seed's `PlanResponse`. */
import { z } from 'zod';
import { stepActions } from '../protocol/plan-types.js';
import { parseDuration } from './parse-duration.js';
import type { PlanLimits } from './plan-limits.js';

function durationField() {
  return z.union([z.string(), z.number()]).transform((value, context) => {
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.ms;
    context.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  });
}

function schemasFor(limits: PlanLimits) {
  const stepId = z.union([
    z.string().min(1, 'a step id cannot be empty').max(limits.maxIdLength),
    z.number().int('a numeric step id must be a whole number').nonnegative(),
  ]);
  const text = z.string().max(limits.maxTextBytes);
  const backoff = z.strictObject({
    initial: durationField().optional(),
    max: durationField().optional(),
    factor: z.number().min(1).max(10).optional(),
  });
  const env = z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment name is letters, digits and _'),
      text,
    )
    .refine((record) => Object.keys(record).length <= 200, 'at most 200 environment variables per step');
  const retries = z.number().int().min(0).max(100);
  const agentName = z.string().min(1).max(200);

  const nativeStep = z.strictObject({
    id: stepId,
    agent: agentName.optional(),
    action: z.enum(stepActions).optional(),
    target: text.optional(),
    description: text.optional(),
    prompt: text.optional(),
    run: z.string().min(1, 'a shell command cannot be empty').max(limits.maxCommandBytes).optional(),
    needs: z.array(stepId).max(limits.maxNeedsPerStep).optional(),
    inputs: z.array(stepId).max(limits.maxNeedsPerStep).optional(),
    retries: retries.optional(),
    backoff: backoff.optional(),
    timeout: durationField().optional(),
    estimate: durationField().optional(),
    review: z.boolean().optional(),
    isolate: z.boolean().optional(),
    env: env.optional(),
  });

  const score = z.number().min(0).max(1);
  const nativePlan = z.strictObject({
    name: z.string().min(1).max(limits.maxIdLength).optional(),
    description: text.optional(),
    /** Why this plan (a planner's reasoning), shown at approval. */
    rationale: text.optional(),
    risks: z
      .array(
        z.strictObject({
          severity: z.enum(['low', 'medium', 'high', 'critical']),
          category: z.enum([
            'breaking-change',
            'security',
            'performance',
            'compatibility',
            'data-loss',
            'other',
          ]),
          description: text,
          mitigation: text,
          affectedSteps: z.array(stepId).optional(),
        }),
      )
      .max(100)
      .optional(),
    confidence: z
      .strictObject({
        taskClarity: score,
        contextSufficiency: score,
        approachConfidence: score,
        executionFeasibility: score,
        overall: score,
      })
      .optional(),
    concurrency: z.number().int().min(1).max(4096).optional(),
    defaults: z
      .strictObject({
        agent: agentName.optional(),
        retries: retries.optional(),
        timeout: durationField().optional(),
        backoff: backoff.optional(),
        estimate: durationField().optional(),
        review: z.boolean().optional(),
        env: env.optional(),
      })
      .optional(),
    steps: z.array(nativeStep),
  });

  // The seed's PlanResponse (src/types.ts of the original extension), accepted exactly as it was emitted.
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
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    category: z.enum(['breaking-change', 'security', 'performance', 'compatibility', 'data-loss', 'other']),
    description: text,
    mitigation: text,
    affectedSteps: z.array(stepId),
  });
  const unit = z.number().min(0).max(1);
  const seedPlan = z.strictObject({
    planId: z.string().max(limits.maxIdLength).optional(),
    analysis: z
      .strictObject({
        understanding: text,
        constraints: z.array(text),
        approaches: z.array(
          z.strictObject({
            approach: text,
            pros: z.array(text),
            cons: z.array(text),
            rejected: z.boolean().optional(),
            rejectionReason: text.optional(),
          }),
        ),
        chosenApproach: text,
        rationale: text,
      })
      .optional(),
    steps: z.array(seedStep),
    dependencies: z.array(text).optional(),
    risks: z.array(seedRisk).optional(),
    confidence: z
      .strictObject({
        taskClarity: unit,
        contextSufficiency: unit,
        approachConfidence: unit,
        executionFeasibility: unit,
        overall: unit,
      })
      .optional(),
    estimatedTokens: z.number().nonnegative().optional(),
    requiresApproval: z.boolean().optional(),
  });

  return { nativePlan, seedPlan };
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
