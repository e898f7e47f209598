/** Writes a plan back out in the native YAML shape, for editing before approval. */
import { stringify } from 'yaml';
import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';

export function planToYaml(plan: PlanDefinition): string {
  const meta = (plan.format === 'native' ? plan.meta : undefined) ?? {};
  const document = {
    name: plan.name,
    ...(plan.concurrency !== undefined && { concurrency: plan.concurrency }),
    ...(plan.budget !== undefined && { budget: plan.budget }),
    ...(meta.rationale !== undefined && { rationale: meta.rationale }),
    ...(meta.risks !== undefined && { risks: meta.risks }),
    ...(meta.confidence !== undefined && { confidence: meta.confidence }),
    ...(plan.workspace !== undefined && { workspace: plan.workspace }),
    // Candidate steps are written back as the `candidates:` / `agents:` of the step they try.
    steps: plan.steps.filter((step) => step.candidateOf === undefined).map((step) => stepToYaml(step, plan)),
  };
  const header = '# Edit the plan, save and close the editor. Durations are in milliseconds here.\n';
  return header + stringify(document, { lineWidth: 0 });
}

function stepToYaml(written: StepDefinition, plan: PlanDefinition): Record<string, unknown> {
  const tries = candidateShape(written, plan);
  const step = tries?.first ?? written;
  return {
    id: written.label,
    agent: written.agent,
    ...(step.action !== undefined && { action: step.action }),
    ...(step.target !== undefined && { target: step.target }),
    ...(step.description !== undefined && step.prompt === undefined && { description: step.description }),
    ...(step.prompt !== undefined && { prompt: step.prompt }),
    ...(step.run !== undefined && { run: step.run }),
    ...(step.needs.length > 0 && { needs: step.needs.map((need) => labelFor(need, step)) }),
    retries: step.retries,
    backoff: { initial: step.backoff.initialMs, max: step.backoff.maxMs, factor: step.backoff.factor },
    ...(step.timeoutMs !== undefined && { timeout: step.timeoutMs }),
    ...(step.estimateMs !== undefined && { estimate: step.estimateMs }),
    ...(step.review !== undefined && { review: step.review }),
    ...(step.isolate !== undefined && { isolate: step.isolate }),
    ...(step.env !== undefined && { env: step.env }),
    ...(step.check !== undefined && { check: step.check }),
    ...(step.budget !== undefined && { budget: step.budget }),
    ...(written.fallback !== undefined && { fallback: written.fallback }),
    ...tries?.fields,
  };
}

/** A pick step's candidates as written: `candidates: N` when all share the agent, else `agents:`. */
function candidateShape(
  step: StepDefinition,
  plan: PlanDefinition,
): { first: StepDefinition; fields: Record<string, unknown> } | undefined {
  if (step.candidates === undefined) return undefined;
  const ids = new Set(step.candidates);
  const tries = plan.steps.filter((candidate) => ids.has(candidate.id));
  const first = tries[0];
  if (!first) return undefined;
  const agents = tries.map((candidate) => candidate.agent);
  const sameAgent = agents.every((agent) => agent === step.agent);
  return {
    first: { ...first, ...(step.fallback !== undefined && { fallback: step.fallback }) },
    fields: {
      ...(sameAgent ? { candidates: tries.length } : { agents }),
      pick: step.pick ?? 'best',
      ...(first.fallback !== undefined && step.fallback === undefined && { fallback: first.fallback }),
    },
  };
}

/** Numeric ids of seed plans stay numbers, so `needs` keeps matching them. */
function labelFor(need: string, _step: StepDefinition): string | number {
  return /^\d+$/.test(need) ? Number(need) : need;
}
