/** The environment of codex processes, and the one start-up problem we can see before spawning. */
import { existsSync } from 'node:fs';
import type { StepFailure } from '../agent.js';
import { agentEnvironment } from '../cli-environment.js';
import type { EnvironmentPolicy } from '../process/child-environment.js';
import type { CodexSpec } from './codex-spec.js';

/** What codex reads: its home, its configuration and its keys. */
export const codexEnvironmentPolicy: EnvironmentPolicy = {
  names: ['CODEX_HOME'],
  prefixes: ['OPENAI_', 'CODEX_'],
};

/**
 * The allow-listed environment (OPENAI_*, CODEX_*, CODEX_HOME, proxies, the base list), plus the variable
 * `apiKeyEnv` names: the agent's configuration chose it to hold the key, so it must reach codex even
 * though no prefix rule covers it. `extra` (a step's own `env`) wins over everything.
 */
export function codexEnvironment(
  spec: Pick<CodexSpec, 'env' | 'passEnv' | 'apiKeyEnv'>,
  source: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const key = spec.apiKeyEnv;
  const keyValue = key !== undefined && !(key in spec.env) ? source[key] : undefined;
  return agentEnvironment(spec, codexEnvironmentPolicy, source, {
    ...(key !== undefined && keyValue !== undefined && { [key]: keyValue }),
    ...extra,
  });
}

/**
 * codex exits at once when CODEX_HOME names a directory that does not exist (measured: exit 1, "Error
 * finding codex home"). Creating it would silently start an empty configuration without the user's login,
 * so this is a permanent failure with the fix, found before anything is spawned.
 */
export function missingCodexHome(environment: Readonly<Record<string, string>>): StepFailure | undefined {
  const home = environment.CODEX_HOME;
  if (home === undefined || home === '' || existsSync(home)) return undefined;
  return {
    code: 'AGENT_UNAVAILABLE',
    kind: 'permanent',
    message: `CODEX_HOME points to "${home}", which does not exist; create it (mkdir -p '${home}') and log in there (codex login), or unset CODEX_HOME to use ~/.codex`,
  };
}
