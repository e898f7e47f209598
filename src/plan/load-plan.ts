/**
 * Reads, parses and validates a plan file. Every problem is collected in one pass and reported together,
 * each with its file, line, JSON path and a fix; nothing is run or written for an invalid plan.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { z } from 'zod';
import type { PlanDefinition } from '../protocol/plan-types.js';
import { describeDocumentProblem, parseJsonDocument, parseYamlDocument } from '../support/document-text.js';
import { errorCode } from '../support/error-code.js';
import { InputError } from '../support/errors.js';
import { isRecord } from '../support/json-record.js';
import type { AgentCatalog } from './agent-catalog.js';
import { type NormalizedPlan, normalizeNativePlan, normalizeSeedPlan } from './normalize-plan.js';
import { defaultPlanLimits, type PlanLimits } from './plan-limits.js';
import { formatPath, issueMessage, type PlanProblem } from './plan-problem.js';
import { looksLikeSeedPlan, planSchemas } from './plan-schema.js';
import { type RawStepFacts, readRawSteps } from './raw-graph.js';
import { knownKeysAt } from './schema-keys.js';
import { createLocator } from './source-locations.js';
import { didYouMean, validateGraph } from './validate-graph.js';

export interface LoadPlanOptions {
  agents: AgentCatalog;
  limits?: PlanLimits;
}

export async function loadPlanFile(file: string, options: LoadPlanOptions): Promise<PlanDefinition> {
  const limits = options.limits ?? defaultPlanLimits;
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw planError(file, [`${file} is not a file; pass the path of a .yaml or .json plan`]);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw planError(file, [`${file}: cannot read the plan file (${errorCode(error) ?? error})`]);
  }
  if (size > limits.maxFileBytes) {
    throw planError(file, [
      `${file}: the file is ${megabytes(size)}, over the ${megabytes(limits.maxFileBytes)} limit for plan files; split the plan`,
    ]);
  }
  const text = await readFile(file, 'utf8');
  return parsePlanText(text, file, options);
}

export function parsePlanText(text: string, file: string, options: LoadPlanOptions): PlanDefinition {
  const limits = options.limits ?? defaultPlanLimits;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const root = parseDocumentText(source, file, limits);
  if (!isRecord(root)) {
    throw planError(file, [`${file}: a plan is a mapping with a steps: list at the top level`]);
  }
  if (Array.isArray(root.steps) && root.steps.length > limits.maxSteps) {
    throw planError(file, [
      `${file} steps: ${root.steps.length} steps is over the limit of ${limits.maxSteps}; split the plan`,
    ]);
  }
  const seed = looksLikeSeedPlan(root);
  const schemas = planSchemas(limits);
  const fallbackName = basename(file, extname(file));
  const outcome = seed
    ? parseWith(schemas.seedPlan, root, (input) => normalizeSeedPlan(input, fallbackName))
    : parseWith(schemas.nativePlan, root, (input) => normalizeNativePlan(input, fallbackName));
  const { normalized } = outcome;
  const problems: PlanProblem[] = [...outcome.problems];
  const raw = readRawSteps(root, seed);
  problems.push(...validateGraph(raw.nodes), ...checkAgents(raw.agents, options.agents));
  problems.sort(byPath);
  if (problems.length > 0 || !normalized)
    throw planError(file, formatProblems(problems, source, file, limits));
  return normalized.plan;
}

/** The document parsed with its shape's schema and normalized; or the schema's problems. */
function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  root: Record<string, unknown>,
  normalize: (input: z.output<Schema>) => NormalizedPlan,
): { normalized?: NormalizedPlan; problems: PlanProblem[] } {
  const parsed = schema.safeParse(root);
  if (!parsed.success)
    return { problems: parsed.error.issues.flatMap((issue) => describeIssue(issue, schema)) };
  const normalized = normalize(parsed.data);
  return { normalized, problems: normalized.problems };
}

function parseDocumentText(text: string, file: string, limits: PlanLimits): unknown {
  const json = extname(file).toLowerCase() === '.json' || (extname(file) === '' && /^\s*[{[]/.test(text));
  const parsed = json
    ? parseJsonDocument(text, limits)
    : parseYamlDocument(text, { maxDepth: limits.maxDepth, maxAliasCount: 100 });
  if (parsed.ok) return parsed.value;
  throw planError(file, [
    describeDocumentProblem(file, json ? 'JSON' : 'YAML', parsed.problem, 'plans are flat lists of steps'),
  ]);
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): PlanProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = knownKeysAt(schema, issue.path as (string | number)[]);
    return issue.keys.map((key) => ({
      path: [...(issue.path as (string | number)[]), key],
      message: `unknown field "${key}"${didYouMean(key, allowed) || `; allowed here: ${allowed.join(', ')}`}`,
    }));
  }
  return [{ path: issue.path as (string | number)[], message: issueMessage(issue) }];
}

function checkAgents(named: RawStepFacts['agents'], agents: AgentCatalog): PlanProblem[] {
  const known = agents.names();
  return named
    .filter((entry) => !agents.has(entry.name))
    .map((entry) => ({
      path: ['steps', entry.index, entry.key],
      message: `unknown agent "${entry.name}"${didYouMean(entry.name, [...known])} (known agents: ${known.join(', ')})`,
    }));
}

/** Problems in file order: by step, then by field, with whole-plan problems first. */
function byPath(left: PlanProblem, right: PlanProblem): number {
  const length = Math.min(left.path.length, right.path.length);
  for (let index = 0; index < length; index++) {
    const a = left.path[index] as string | number;
    const b = right.path[index] as string | number;
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return 0;
  }
  return left.path.length - right.path.length;
}

function formatProblems(problems: PlanProblem[], text: string, file: string, limits: PlanLimits): string[] {
  const locate = createLocator(text);
  const shown = problems.slice(0, limits.maxReportedProblems).map((problem) => {
    const position = locate(problem.path);
    return `${file}${position ? `:${position}` : ''} ${formatPath(problem.path)}: ${problem.message}`;
  });
  if (problems.length > shown.length) shown.push(`…and ${problems.length - shown.length} more problems`);
  return shown;
}

function planError(file: string, problems: string[]): InputError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new InputError('PLAN_INVALID', `invalid plan ${file} (${count})`, problems);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
