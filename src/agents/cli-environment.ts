/**
 * The environment each kind of agent process gets: the base allow-list, the variables its own CLI reads
 * (configuration and credentials), what the agent's configuration adds — and nothing else, so one agent
 * never sees another's keys, and the orchestrator's own tokens stay with it.
 */
import type { AdapterKind, AgentSpec } from './agent-spec.js';
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

const perAdapter: Record<AdapterKind, EnvironmentPolicy> = {
  shell: { names: [], prefixes: [] },
  claude: {
    names: ['CLAUDE_CONFIG_DIR', 'DISABLE_AUTOUPDATER', 'DISABLE_TELEMETRY'],
    prefixes: ['ANTHROPIC_', 'CLAUDE_CODE_'],
  },
  codex: { names: ['CODEX_HOME'], prefixes: ['OPENAI_', 'CODEX_'] },
  gemini: { names: [], prefixes: ['GEMINI_', 'GOOGLE_'] },
  acp: { names: [], prefixes: [] },
  openai: { names: [], prefixes: [] },
};

/**
 * Variables that must never reach an agent even if a prefix matches: a nested-session marker that makes
 * claude refuse to start, and our own coordination variables.
 */
const neverPassed = ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'AI_COLLAB_HOME', 'AI_COLLAB_LOG_LEVEL'];

/** An ACP agent that wraps a known CLI reads that CLI's variables (keys, configuration). */
function acpPolicy(command: string): EnvironmentPolicy {
  const name = command.split('/').pop() ?? command;
  if (name.startsWith('claude')) return perAdapter.claude;
  if (name.startsWith('codex')) return perAdapter.codex;
  if (name.startsWith('gemini')) return perAdapter.gemini;
  return perAdapter.acp;
}

export function agentEnvironment(
  spec: AgentSpec,
  source: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const own = spec.adapter === 'acp' ? acpPolicy(spec.command) : perAdapter[spec.adapter];
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
