/**
 * Turns configuration (or its absence) into the agents a plan may use. With no file, the seed's names work
 * for every CLI found on PATH: claude, opus (claude with the opus model), codex, gemini, reviewer (an
 * OpenAI-compatible model on the Hugging Face router) and shell; antigravity is explained, not faked.
 */
import type { z } from 'zod';
import { descriptorOf, descriptorOfKind } from '../agents/adapters.js';
import type { AdapterKind, AgentSpec, PoolSettings } from '../agents/agent-spec.js';
import { checkAgentCredentials } from './agent-credentials.js';
import type { AgentSettingsInput, ResolvedConfig } from './config-schema.js';
import { findExecutable } from './find-executable.js';

/** Built-in agents: the seed's names, available whenever their CLI or key is. */
const builtIns: Record<string, AgentSettingsInput> = {
  shell: { adapter: 'shell' },
  claude: { adapter: 'claude' },
  opus: { adapter: 'claude', model: 'opus' },
  codex: { adapter: 'codex' },
  gemini: { adapter: 'gemini' },
  'acp:gemini': { adapter: 'acp', command: 'gemini', args: ['--acp'] },
  'acp:claude': { adapter: 'acp', command: 'claude-agent-acp' },
  'acp:codex': { adapter: 'acp', command: 'codex-acp' },
  reviewer: {
    adapter: 'openai',
    preset: 'huggingface',
    model: 'Qwen/Qwen2.5-Coder-32B-Instruct',
    capabilities: ['review', 'plan'],
  },
};

export const antigravityExplanation = {
  reason:
    'Google Antigravity has no documented headless interface: its CLI (agy) has no JSON output and no ACP mode, and `agy -p` prints nothing when its output is not a terminal',
  fix: 'use the gemini agent (Gemini CLI) instead, or configure agents.antigravity in ai-collab.config.yaml with an adapter that can drive it',
};

const defaultPool: PoolSettings = {
  size: 4,
  prewarm: 1,
  maxUses: 25,
  maxAgeMs: 30 * 60_000,
  maxMemoryBytes: 1.5 * 1024 ** 3,
  idleTimeoutMs: 5 * 60_000,
};

export function resolveAgents(
  config: ResolvedConfig,
  environment: NodeJS.ProcessEnv,
): Map<string, AgentSpec> {
  const specs = new Map<string, AgentSpec>();
  const names = new Set([...Object.keys(builtIns), 'antigravity', ...Object.keys(config.agents)]);
  for (const name of names) {
    const configured = config.agents[name];
    const builtIn = builtIns[name];
    if (!configured && !builtIn) {
      if (name === 'antigravity') specs.set(name, antigravitySpec());
      continue;
    }
    specs.set(name, resolveOne(name, { ...builtIn, ...configured }, environment));
  }
  return specs;
}

function resolveOne(name: string, settings: AgentSettingsInput, environment: NodeJS.ProcessEnv): AgentSpec {
  const adapter: AdapterKind = settings.adapter ?? inferAdapter(name);
  const descriptor = descriptorOfKind(adapter);
  const pool: PoolSettings = {
    size: settings.pool?.size ?? defaultPool.size,
    prewarm: Math.min(settings.pool?.prewarm ?? defaultPool.prewarm, settings.pool?.size ?? defaultPool.size),
    maxUses: settings.pool?.maxUses ?? defaultPool.maxUses,
    maxAgeMs: settings.pool?.maxAge ?? defaultPool.maxAgeMs,
    maxMemoryBytes: settings.pool?.maxMemory ?? defaultPool.maxMemoryBytes,
    idleTimeoutMs: settings.pool?.idleTimeout ?? defaultPool.idleTimeoutMs,
    ...(settings.pool?.sessionsPerProcess !== undefined && {
      sessionsPerProcess: settings.pool.sessionsPerProcess,
    }),
  };
  const commandName = settings.command ?? descriptor.cli?.defaultCommand ?? '';
  const command = commandName === '' ? '' : (findExecutable(commandName, environment.PATH) ?? commandName);
  const base = {
    name,
    command,
    args: settings.args ?? [],
    env: settings.env ?? {},
    passEnv: settings.passEnv ?? [],
    pool,
    capabilities: settings.capabilities ?? [...descriptor.defaultCapabilities],
    ...(settings.model !== undefined && { model: settings.model }),
    ...(settings.concurrency !== undefined && { concurrency: settings.concurrency }),
    ...(settings.timeout !== undefined && { timeoutMs: settings.timeout }),
    ...(settings.fallback !== undefined && { fallback: settings.fallback }),
  };
  const own = descriptor.settings.safeParse(settings);
  // The descriptor's own keys on the common ones: `adapter` and `ownSettings` come from the same entry of
  // the list, which TypeScript cannot correlate through the union.
  const spec = { ...base, adapter, ...(own.success ? descriptor.ownSettings(own.data) : {}) } as AgentSpec;
  const unavailable = own.success
    ? agentUsability(spec, environment)
    : notItsSetting(spec, own.error.issues[0]);
  if (unavailable) spec.unavailable = unavailable;
  return spec;
}

/** The file's schema took the value as some adapter's; this adapter's own does not (e.g. another's mode). */
function notItsSetting(spec: AgentSpec, issue: z.core.$ZodIssue | undefined): AgentSpec['unavailable'] {
  const key = issue?.path.join('.') ?? '';
  const modes = descriptorOf(spec).modes;
  const allowed = modes.length > 0 ? ` (${spec.adapter} modes: ${modes.join(', ')})` : '';
  return {
    reason: `agents.${spec.name}.${key} does not apply to the ${spec.adapter} adapter: ${issue?.message ?? 'invalid'}${allowed}`,
    fix: `fix or remove agents.${spec.name}.${key} in ai-collab.config.yaml`,
  };
}

function inferAdapter(name: string): AdapterKind {
  if (name === 'claude' || name === 'codex' || name === 'gemini' || name === 'shell') return name;
  if (name.startsWith('acp:')) return 'acp';
  if (name.startsWith('openai:')) return 'openai';
  return 'claude';
}

/**
 * doctor's usability check of a resolved spec: its command found, its credentials present, the adapter's
 * own conditions. Made when the configuration is resolved and again before each attempt of its steps.
 */
export function agentUsability(spec: AgentSpec, environment: NodeJS.ProcessEnv): AgentSpec['unavailable'] {
  const descriptor = descriptorOf(spec);
  if (descriptor.cli) {
    if (spec.command === '') {
      return {
        reason: `agent ${spec.name} has no command`,
        fix: `set agents.${spec.name}.command in ai-collab.config.yaml`,
      };
    }
    if (!findExecutable(spec.command, environment.PATH)) {
      return {
        reason: `the ${spec.command} command was not found on PATH`,
        fix:
          descriptor.cli.install(spec.name) ??
          `install it, or set agents.${spec.name}.command to its full path`,
      };
    }
    const missing = missingCredentials(spec, environment);
    if (missing) return missing;
  }
  return descriptor.unavailable(spec, environment);
}

/**
 * doctor's credential check decides usability too: a CLI with no key and no login cannot answer, and a
 * step given to it would only wait on its reconnect loop.
 */
function missingCredentials(spec: AgentSpec, environment: NodeJS.ProcessEnv): AgentSpec['unavailable'] {
  // The CLI runs with the agent's configured `env` on top, so a key (or HOME) set there counts.
  const credentials = checkAgentCredentials(spec, { ...environment, ...spec.env });
  if (credentials.found) return undefined;
  return { reason: `no credentials for ${spec.name} found`, fix: credentials.detail };
}

function antigravitySpec(): AgentSpec {
  return {
    name: 'antigravity',
    adapter: 'acp',
    command: 'agy',
    args: [],
    env: {},
    passEnv: [],
    pool: defaultPool,
    capabilities: [],
    unavailable: antigravityExplanation,
  };
}
