/**
 * The environment an agent process gets: an allow-list of the caller's variables, never all of them,
 * so tokens and keys of unrelated tools do not leak into agents, their logs or their transcripts.
 */

export interface EnvironmentPolicy {
  /** Variable names copied from the orchestrator's environment when set. */
  names: readonly string[];
  /** Name prefixes copied as well (e.g. `LC_`). */
  prefixes: readonly string[];
}

export const baseEnvironmentPolicy: EnvironmentPolicy = {
  names: [
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'LANG',
    'LANGUAGE',
    'TERM',
    'COLORTERM',
    'NO_COLOR',
    'FORCE_COLOR',
    'TMPDIR',
    'TMP',
    'TEMP',
    'TZ',
    'CI',
    'EDITOR',
    'VISUAL',
  ],
  prefixes: ['LC_'],
};

export function mergePolicies(...policies: EnvironmentPolicy[]): EnvironmentPolicy {
  return {
    names: [...new Set(policies.flatMap((policy) => policy.names))],
    prefixes: [...new Set(policies.flatMap((policy) => policy.prefixes))],
  };
}

export function buildChildEnvironment(
  source: Readonly<Record<string, string | undefined>>,
  policy: EnvironmentPolicy,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const environment: Record<string, string> = {};
  const names = new Set(policy.names);
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (names.has(name) || policy.prefixes.some((prefix) => name.startsWith(prefix)))
      environment[name] = value;
  }
  return { ...environment, ...extra };
}
