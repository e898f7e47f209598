/** The gemini adapter: Gemini CLI, a pool of warm `gemini --acp` processes or one `gemini -p` per step. */
import { join } from 'node:path';
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { cliDescription, cliLine } from '../cli-descriptions.js';
import { homeOf, loginFileCredential, variableCredential } from '../credential-sources.js';
import { lazyAgent } from '../lazy-agent.js';
import { geminiEnvironmentPolicy } from './gemini-environment.js';
import { type GeminiSpec, geminiModes, geminiReadOnly, geminiSettings } from './gemini-spec.js';

export const geminiAdapter: AdapterDescriptor<GeminiSpec> = {
  kind: 'gemini',
  summary:
    'Gemini CLI: a pool of `gemini --acp` processes (mode acp) or `gemini -p` stream-json per step (prompt)',
  settings: geminiSettings,
  modes: geminiModes,
  cli: { defaultCommand: 'gemini', install: () => 'npm install -g @google/gemini-cli' },
  testCli: { package: '@google/gemini-cli', binary: 'gemini' },
  defaultCapabilities: ['execute', 'plan', 'review'],
  thinks: 'agent',
  defaultReviewer: 'vendor',
  ownSettings: (settings) => geminiSettings.parse(settings),
  unavailable: () => undefined,
  credentials: (_subject, environment) =>
    variableCredential(['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_APPLICATION_CREDENTIALS'], environment) ??
    loginFileCredential(
      join(homeOf(environment), '.gemini', 'oauth_creds.json'),
      '; note Google stopped serving free OAuth use of Gemini CLI',
    ) ?? { found: false, detail: 'set GEMINI_API_KEY' },
  environment: () => geminiEnvironmentPolicy,
  readOnly: geminiReadOnly,
  doctor: (spec) => cliLine(spec),
  plannerDescription: (spec) => cliDescription(spec),
  // The gemini adapter brings the ACP SDK: loaded when a step first uses the agent.
  create: (spec, deps) =>
    lazyAgent(spec.name, async () => (await import('./gemini-agent.js')).createGeminiAgent(spec, deps)),
  contract: {
    acp: everyContractCase,
    prompt: {
      ...everyContractCase,
      'pool-reuses-and-recycles': { notApplicable: 'prompt starts one process per step; there is no pool' },
    },
  },
};
