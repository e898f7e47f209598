/**
 * Which model provider codex talks to, and the `-c` overrides that cap codex's own retries there.
 *
 * codex retries a failed model request `request_max_retries` times (default 4) and re-opens a failed stream
 * `stream_max_retries` times (default 5): a persistent 5xx costs 30 requests and ~25 s (measured, 0.171.0).
 * The engine retries failed steps with its own backoff and owns rate limiting, so by default the adapter
 * caps these low. They are settings of a provider table, which codex only lets us change for providers
 * that are not compiled in: `-c model_providers.openai.request_max_retries=…` makes codex 0.171.0 refuse to
 * start ("Built-in providers cannot be overridden"). So the caps apply when
 * - the agent's configuration names an endpoint (`baseUrl`, `apiKeyEnv`): the adapter defines its own
 *   provider `ai-collab` for it, caps included;
 * - codex is configured (in the agent's `args` or in codex's config.toml) to use a provider of its own;
 * and not for the built-in `openai` (ChatGPT or API-key login), `ollama`, `lmstudio` and `amazon-bedrock`,
 * where codex's defaults stay in force.
 */

import type { CodexConfigTables } from './codex-config-file.js';
import type { CodexSpec } from './codex-spec.js';

/** Retries of one HTTP request that failed (codex backs off 0.2 s, 0.45 s, …). */
export const defaultRequestMaxRetries = 2;
/** Re-opens of a broken or failed stream ("Reconnecting… n/m"), each with its own request retries. */
export const defaultStreamMaxRetries = 1;

/** The provider the adapter defines when the agent's configuration names an endpoint. */
export const ownProviderId = 'ai-collab';

/** Provider ids compiled into codex 0.171.0 (its config refuses to redefine them). */
export const builtInProviders: ReadonlySet<string> = new Set([
  'openai',
  'ollama',
  'lmstudio',
  'amazon-bedrock',
]);

export interface ProviderPlan {
  /** `key=value` TOML overrides, each to be passed as `-c <override>`, before the agent's own args. */
  overrides: string[];
  /** The provider in use, when it can be known. */
  providerId: string | undefined;
  /** Why codex's own retry defaults stay in force, when they do. */
  uncappedBecause?: string;
}

export function planProvider(spec: CodexSpec, config: CodexConfigTables): ProviderPlan {
  const argOverrides = configOverridesIn(spec.args);
  if (spec.baseUrl) return ownProvider(spec, argOverrides);
  if (spec.args.includes('--oss')) {
    return { overrides: [], providerId: undefined, uncappedBecause: 'the built-in OSS provider (--oss)' };
  }
  if (spec.args.includes('-p') || spec.args.includes('--profile')) {
    return { overrides: [], providerId: undefined, uncappedBecause: 'a codex profile chooses the provider' };
  }
  const providerId =
    argOverrides.get('model_provider') ?? config.get('')?.get('model_provider') ?? profileProvider(config);
  const id = providerId ?? 'openai';
  if (builtInProviders.has(id)) {
    return { overrides: [], providerId: id, uncappedBecause: `codex's built-in provider "${id}"` };
  }
  const table = config.get(`model_providers.${id}`);
  const definedInArgs = [...argOverrides.keys()].some((key) => key.startsWith(`model_providers.${id}.`));
  if (!/^[A-Za-z0-9_-]+$/.test(id) || (!table && !definedInArgs)) {
    // Setting a key of a provider codex does not know creates a half-defined one, which it refuses.
    return {
      overrides: [],
      providerId: id,
      uncappedBecause: `provider "${id}" is not defined where we can see it`,
    };
  }
  return { overrides: retryCaps(id, argOverrides, table), providerId: id };
}

function ownProvider(spec: CodexSpec, argOverrides: Map<string, string>): ProviderPlan {
  const prefix = `model_providers.${ownProviderId}`;
  const overrides = [
    `model_provider=${toml(ownProviderId)}`,
    `${prefix}.name=${toml(ownProviderId)}`,
    `${prefix}.base_url=${toml(spec.baseUrl ?? '')}`,
    // Chat Completions is gone from codex; every provider speaks the Responses API.
    `${prefix}.wire_api="responses"`,
    ...(spec.apiKeyEnv ? [`${prefix}.env_key=${toml(spec.apiKeyEnv)}`] : []),
    ...retryCaps(ownProviderId, argOverrides, undefined),
  ];
  return { overrides, providerId: ownProviderId };
}

/** The caps, except those the agent's args or codex's config already set (theirs win). */
function retryCaps(
  id: string,
  argOverrides: Map<string, string>,
  table: Map<string, string> | undefined,
): string[] {
  const caps: string[] = [];
  const keys: Array<[string, number]> = [
    ['request_max_retries', defaultRequestMaxRetries],
    ['stream_max_retries', defaultStreamMaxRetries],
  ];
  for (const [key, value] of keys) {
    if (argOverrides.has(`model_providers.${id}.${key}`) || table?.has(key)) continue;
    caps.push(`model_providers.${id}.${key}=${value}`);
  }
  return caps;
}

/** `profile = "x"` at the top level selects `[profiles.x]`, which may name the provider. */
function profileProvider(config: CodexConfigTables): string | undefined {
  const profile = config.get('')?.get('profile');
  return profile ? config.get(`profiles.${profile}`)?.get('model_provider') : undefined;
}

/** The `-c key=value` / `--config key=value` / `--config=key=value` overrides in an argument list. */
export function configOverridesIn(args: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    let entry: string | undefined;
    if (arg === '-c' || arg === '--config') entry = args[++index];
    else if (arg.startsWith('--config=')) entry = arg.slice('--config='.length);
    if (entry === undefined) continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    found.set(
      entry.slice(0, equals).trim(),
      entry
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return found;
}

/** A TOML basic string: JSON's escaping is a subset of TOML's. */
export function toml(value: string): string {
  return JSON.stringify(value);
}
