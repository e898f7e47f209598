/** The codex adapter: OpenAI Codex CLI, one `codex exec` per step or a pool of warm `codex app-server`s. */
import { join } from 'node:path';
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { cliDescription, cliLine } from '../cli-descriptions.js';
import { homeOf, loginFileCredential, variableCredential } from '../credential-sources.js';
import { lazyAgent } from '../lazy-agent.js';
import { codexEnvironmentPolicy } from './codex-environment.js';
import { type CodexSpec, codexModes, codexReadOnly, codexSettings } from './codex-spec.js';

// Measured on codex 0.171.0 (PROTOCOL-NOTES): the step then waits the engine's backoff, after codex's own.
const noResetFromCodex = {
  notApplicable:
    "codex waits out the provider's retry-after itself and then says only 'exceeded retry limit, last status: 429': the reset never reaches the adapter",
};

export const codexAdapter: AdapterDescriptor<CodexSpec> = {
  kind: 'codex',
  summary: 'OpenAI Codex CLI: `codex exec --json` per step (mode exec) or a pool of `codex app-server`s',
  settings: codexSettings,
  modes: codexModes,
  cli: { defaultCommand: 'codex', install: () => 'npm install -g @openai/codex' },
  testCli: { package: '@openai/codex', binary: 'codex' },
  defaultCapabilities: ['execute', 'plan', 'review'],
  thinks: 'agent',
  defaultReviewer: 'vendor',
  ownSettings: (settings) => codexSettings.parse(settings),
  unavailable: () => undefined,
  // A configured endpoint's key (`apiKeyEnv`) counts as well as codex's own.
  credentials: (subject, environment) =>
    variableCredential(
      ['CODEX_API_KEY', 'OPENAI_API_KEY', ...(subject.apiKeyEnv ? [subject.apiKeyEnv] : [])],
      environment,
    ) ??
    loginFileCredential(join(environment.CODEX_HOME ?? join(homeOf(environment), '.codex'), 'auth.json')) ?? {
      found: false,
      detail: 'set OPENAI_API_KEY, or run codex login',
    },
  environment: () => codexEnvironmentPolicy,
  readOnly: codexReadOnly,
  doctor: (spec) => cliLine(spec),
  plannerDescription: (spec) => cliDescription(spec),
  // Loaded when a step first uses the agent: a run of shell steps does not pay for it.
  create: (spec, deps) =>
    lazyAgent(spec.name, async () => (await import('./codex-agent.js')).createCodexAgent(spec, deps)),
  contract: {
    exec: {
      ...everyContractCase,
      'rate-limit-with-reset': noResetFromCodex,
      'pool-reuses-and-recycles': { notApplicable: 'exec starts one process per step; there is no pool' },
    },
    'app-server': { ...everyContractCase, 'rate-limit-with-reset': noResetFromCodex },
  },
};
