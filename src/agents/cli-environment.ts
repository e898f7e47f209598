/**
 * The environment each kind of agent process gets: the base allow-list, the variables its own CLI reads
 * (configuration and credentials), what the agent's configuration adds — and nothing else, so one agent
 * never sees another's keys, and the orchestrator's own tokens stay with it.
 */
import type { AgentSpecBase } from './agent-spec.js';
import {
  baseEnvironmentPolicy,
  buildChildEnvironment,
  type EnvironmentPolicy,
  mergePolicies,
} from './process/child-environment.js';

const network: EnvironmentPolicy = {
  names: [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
  ],
  prefixes: [],
};

/**
 * Variables that must never reach an agent even if a prefix matches: a nested-session marker that makes
 * claude refuse to start, and our own coordination variables.
 */
const neverPassed = ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'AI_COLLAB_HOME', 'AI_COLLAB_LOG_LEVEL'];

/** `own` is the adapter's allow-list (its descriptor's `environment`). */
export function agentEnvironment(
  spec: Pick<AgentSpecBase, 'env' | 'passEnv'>,
  own: EnvironmentPolicy,
  source: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const policy = mergePolicies(baseEnvironmentPolicy, network, own, {
    names: spec.passEnv,
    prefixes: [],
  });
  const environment = buildChildEnvironment(source, policy, { ...spec.env, ...extra });
  for (const name of neverPassed) {
    if (!(name in spec.env) && !(name in extra)) delete environment[name];
  }
  return environment;
}
