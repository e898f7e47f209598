/**
 * The acp adapter: any agent that speaks the Agent Client Protocol over stdio, in a pool of warm
 * processes. Gemini CLI in ACP mode goes through the gemini adapter, which knows its retry notices, error
 * shapes and credentials; an agent wrapping claude or codex gets that CLI's environment and credentials.
 */
import { basename } from 'node:path';
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { claudeAdapter } from '../claude/claude-adapter.js';
import { cliDescription, cliLine } from '../cli-descriptions.js';
import { codexAdapter } from '../codex/codex-adapter.js';
import { geminiAdapter } from '../gemini/gemini-adapter.js';
import { lazyAgent } from '../lazy-agent.js';
import { acpCli, acpEnvironmentPolicy } from './acp-environment.js';
import { type AcpSpec, acpSettings } from './acp-spec.js';

const acpInstallHints: Readonly<Record<string, string>> = {
  'acp:claude': 'npm install -g @agentclientprotocol/claude-agent-acp',
  'acp:codex': 'npm install -g @zed-industries/codex-acp',
};

const wrappedCredentials = {
  claude: claudeAdapter.credentials,
  codex: codexAdapter.credentials,
  gemini: geminiAdapter.credentials,
} as const;

export const acpAdapter: AdapterDescriptor<AcpSpec> = {
  kind: 'acp',
  summary:
    'any Agent Client Protocol agent over stdio (claude-agent-acp, codex-acp, gemini --acp, …), pooled',
  settings: acpSettings,
  modes: [],
  cli: { defaultCommand: undefined, install: (agentName) => acpInstallHints[agentName] },
  testCli: {
    none: 'the suite runs Gemini CLI in ACP mode (`gemini --acp`) through this adapter; its CLI is gemini’s',
  },
  defaultCapabilities: ['execute', 'plan', 'review'],
  thinks: 'agent',
  defaultReviewer: 'last-resort',
  ownSettings: (settings) => acpSettings.parse(settings),
  unavailable: () => undefined,
  // An agent's credentials are its CLI's, whatever protocol it is spoken to in; only an ACP agent none of
  // the three CLIs serves is left to authenticate itself.
  credentials: (subject, environment) => {
    const cli = acpCli(subject);
    return cli
      ? wrappedCredentials[cli](subject, environment)
      : { found: true, detail: 'the ACP agent authenticates itself' };
  },
  environment: (spec) => acpEnvironmentPolicy(spec.command),
  // Writes refused by the permission policy (and the agent's read-only session mode when it offers one).
  readOnly: (spec) => spec,
  doctor: (spec) => cliLine(spec),
  plannerDescription: (spec) => cliDescription(spec),
  // Both load the ACP SDK, which takes longer to load than a plan of small shell steps takes to run:
  // loaded when a step first uses the agent.
  create: (spec, deps) =>
    lazyAgent(spec.name, async () =>
      basename(spec.command) === 'gemini'
        ? (await import('../gemini/gemini-agent.js')).createGeminiAgent(
            { ...spec, adapter: 'gemini', mode: 'acp', args: spec.args.filter((arg) => arg !== '--acp') },
            deps,
          )
        : (await import('./acp-agent.js')).createAcpAgent(spec, deps),
    ),
  contract: { default: everyContractCase },
};
