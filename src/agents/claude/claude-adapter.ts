/** The claude adapter: Claude Code (`claude -p`), a warm stream-json pool or one process per step. */
import { join } from 'node:path';
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { cliDescription, cliLine } from '../cli-descriptions.js';
import { homeOf, loginFileCredential, variableCredential } from '../credential-sources.js';
import { lazyAgent } from '../lazy-agent.js';
import { claudeEnvironmentPolicy } from './claude-environment.js';
import { type ClaudeSpec, claudeModes, claudeReadOnly, claudeSettings } from './claude-spec.js';

export const claudeAdapter: AdapterDescriptor<ClaudeSpec> = {
  kind: 'claude',
  summary:
    'Claude Code: `claude -p` in stream-json, a pool of warm processes (mode stream) or one per step (oneshot)',
  settings: claudeSettings,
  modes: claudeModes,
  cli: { defaultCommand: 'claude', install: () => 'npm install -g @anthropic-ai/claude-code' },
  testCli: { package: '@anthropic-ai/claude-code', binary: 'claude' },
  defaultCapabilities: ['execute', 'plan', 'review'],
  thinks: 'agent',
  defaultReviewer: 'vendor',
  ownSettings: (settings) => claudeSettings.parse(settings),
  unavailable: () => undefined,
  credentials: (_subject, environment) =>
    variableCredential(
      ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'],
      environment,
    ) ??
    loginFileCredential(
      join(environment.CLAUDE_CONFIG_DIR ?? join(homeOf(environment), '.claude'), '.credentials.json'),
    ) ?? { found: false, detail: 'set ANTHROPIC_API_KEY, or run claude once and log in' },
  environment: () => claudeEnvironmentPolicy,
  readOnly: claudeReadOnly,
  doctor: (spec) => cliLine(spec),
  plannerDescription: (spec) => cliDescription(spec),
  // Loaded when a step first uses the agent: a run of shell steps does not pay for it.
  create: (spec, deps) =>
    lazyAgent(spec.name, async () => new (await import('./claude-agent.js')).ClaudeAgent(spec, deps)),
  contract: {
    stream: everyContractCase,
    oneshot: {
      ...everyContractCase,
      'stream-parts-in-order': {
        notApplicable: 'oneshot reads the one JSON result claude prints at exit; it streams no parts',
      },
      'rate-limit-with-reset': {
        notApplicable:
          'oneshot reads only the JSON result claude prints at exit, which does not carry the retry-after claude waited out',
      },
      'pool-reuses-and-recycles': { notApplicable: 'oneshot starts one process per step; there is no pool' },
    },
  },
};
