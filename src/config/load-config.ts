/**
 * Finds and reads the configuration: `ai-collab.config.yaml` in the workspace, then the user's config
 * directory. The workspace file wins key by key. An invalid file is an input error naming the key.
 * `AI_COLLAB_CONFIG_JSON` (a JSON object in the same shape) wins over both: the VS Code extension passes
 * its settings to the server it starts that way, without writing to the user's files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ModelPrice } from '../engine/budget/price-table.js';
import { formatPath, issueMessage } from '../plan/plan-problem.js';
import type { Budget } from '../protocol/plan-types.js';
import { describeDocumentProblem, parseJsonDocument, parseYamlDocument } from '../support/document-text.js';
import { InputError } from '../support/errors.js';
import { type ConfigInput, configSchema, defaultConfig, type ResolvedConfig } from './config-schema.js';
import { resolveAgents } from './resolve-agents.js';
import { checkReviewerNames, resolveReviewLayers } from './resolve-review.js';

export const configFileName = 'ai-collab.config.yaml';
export const configOverlayVariable = 'AI_COLLAB_CONFIG_JSON';

export function configCandidates(workspace: string, environment: NodeJS.ProcessEnv): string[] {
  const userDirectory = environment.XDG_CONFIG_HOME ?? join(environment.HOME ?? homedir(), '.config');
  return [join(workspace, configFileName), join(userDirectory, 'ai-collab', 'config.yaml')];
}

export function loadConfig(workspace: string, environment: NodeJS.ProcessEnv): ResolvedConfig {
  const layers: Array<{ file: string; input: ConfigInput }> = [];
  const overlay = environment[configOverlayVariable];
  if (overlay !== undefined && overlay.trim() !== '') {
    layers.push({ file: configOverlayVariable, input: readConfigOverlay(overlay) });
  }
  for (const file of configCandidates(workspace, environment)) {
    if (existsSync(file)) layers.push({ file, input: readConfigFile(file) });
  }
  const resolved = resolveConfig(layers);
  const review = resolveReviewLayers(layers.map(({ file, input }) => ({ file, review: input.review })));
  checkReviewerNames(
    review.settings,
    new Set(resolveAgents(resolved, environment).keys()),
    review.reviewersFrom,
  );
  return { ...resolved, review: review.settings };
}

/** Configuration is a few levels deep (agents → name → pool → key); far past that is a mistake or an attack. */
const configLimits = { maxDepth: 64, maxAliasCount: 50 };
const configShape = 'configuration is a few levels deep (agents → name → setting)';

export function readConfigFile(file: string): ConfigInput {
  const parsed = parseYamlDocument(readFileSync(file, 'utf8'), configLimits);
  if (!parsed.ok) throwConfig(file, [describeDocumentProblem(file, 'YAML', parsed.problem, configShape)]);
  return validateConfig(parsed.value ?? {}, file);
}

function readConfigOverlay(text: string): ConfigInput {
  const source = `${configOverlayVariable} (environment)`;
  const parsed = parseJsonDocument(text, configLimits);
  if (!parsed.ok) {
    throwConfig(source, [
      `${describeDocumentProblem(source, 'JSON', parsed.problem, configShape)}; unset it or give a JSON object`,
    ]);
  }
  return validateConfig(parsed.value, source);
}

function validateConfig(document: unknown, file: string): ConfigInput {
  const parsed = configSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      return `${file} ${formatPath(path)}: unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}; remove them`;
    }
    return `${file} ${formatPath(path)}: ${issueMessage(issue)}`;
  });
  return throwConfig(file, problems);
}

function throwConfig(file: string, problems: string[]): never {
  throw new InputError('CONFIG_INVALID', `invalid configuration ${file}`, problems);
}

function resolveConfig(layers: Array<{ file: string; input: ConfigInput }>): ResolvedConfig {
  const resolved: ResolvedConfig = {
    ...defaultConfig,
    agents: {},
    sources: layers.map((layer) => layer.file),
  };
  // Apply the farthest layer first so nearer files override it.
  for (const { input } of [...layers].reverse()) {
    if (input.concurrency !== undefined) resolved.concurrency = input.concurrency;
    if (input.killGrace !== undefined) resolved.killGraceMs = input.killGrace;
    if (input.interruptGrace !== undefined) resolved.interruptGraceMs = input.interruptGrace;
    if (input.maxLogBytes !== undefined) resolved.maxLogBytes = input.maxLogBytes;
    if (input.workspace) {
      const setup = input.workspace.setup ?? resolved.workspace.setup;
      const ports = input.workspace.ports ?? resolved.workspace.ports;
      resolved.workspace = {
        isolation: input.workspace.isolation ?? resolved.workspace.isolation,
        bringIn: input.workspace.bringIn ?? resolved.workspace.bringIn,
        ...(setup !== undefined && { setup }),
        ...(ports !== undefined && { ports }),
      };
    }
    if (input.notify) resolved.notify = { ...resolved.notify, ...input.notify };
    if (input.approval) {
      resolved.approval = {
        policy: input.approval.policy ?? resolved.approval.policy,
        confidenceThreshold: input.approval.confidenceThreshold ?? resolved.approval.confidenceThreshold,
        pauseAfter: input.approval.pauseAfter ?? resolved.approval.pauseAfter,
        mcp: input.approval.mcp ?? resolved.approval.mcp,
      };
    }
    if (input.distributed) resolved.distributed = { ...resolved.distributed, ...input.distributed };
    if (input.budget) resolved.budget = budgetOf(input.budget);
    if (input.prices) resolved.prices = { ...resolved.prices, ...pricesOf(input.prices) };
    for (const [name, settings] of Object.entries(input.agents ?? {})) {
      const current = resolved.agents[name] ?? {};
      const passEnv = [...new Set([...(current.passEnv ?? []), ...(settings.passEnv ?? [])])];
      resolved.agents[name] = {
        ...current,
        ...settings,
        ...(current.pool || settings.pool ? { pool: { ...current.pool, ...settings.pool } } : {}),
        ...(current.env || settings.env ? { env: { ...current.env, ...settings.env } } : {}),
        ...(passEnv.length > 0 && { passEnv }),
      };
    }
  }
  return resolved;
}

function budgetOf(input: NonNullable<ConfigInput['budget']>): Budget {
  return {
    ...(input.usd !== undefined && { usd: input.usd }),
    ...(input.tokens !== undefined && { tokens: input.tokens }),
  };
}

function pricesOf(input: NonNullable<ConfigInput['prices']>): Record<string, ModelPrice> {
  return Object.fromEntries(
    Object.entries(input).map(([model, price]) => [
      model,
      {
        input: price.input,
        output: price.output,
        ...(price.cachedInput !== undefined && { cachedInput: price.cachedInput }),
      },
    ]),
  );
}
