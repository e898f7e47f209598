/** The openai adapter: an OpenAI-compatible chat API, with file tools confined to the workspace. */
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { lazyAgent } from '../lazy-agent.js';
import { openAiPresets } from './openai-presets.js';
import { type OpenAiSpec, openAiSettings } from './openai-spec.js';

const noProcess = { notApplicable: 'an HTTP client: no process to leave behind, nothing to pool' } as const;

export const openAiAdapter: AdapterDescriptor<OpenAiSpec> = {
  kind: 'openai',
  summary: 'an OpenAI-compatible chat completions API (OpenAI, Hugging Face, OpenRouter, Ollama, vLLM, …)',
  settings: openAiSettings,
  modes: [],
  cli: undefined,
  testCli: { none: 'an HTTP client; the suite points it at the scripted model server' },
  defaultCapabilities: ['execute', 'plan', 'review'],
  thinks: { model: (spec) => spec },
  defaultReviewer: 'model',
  ownSettings: (settings) => {
    const { preset: presetName, ...own } = openAiSettings.parse(settings);
    const preset = openAiPresets[presetName ?? 'openai'];
    const baseUrl = own.baseUrl ?? preset.baseUrl;
    const apiKeyEnv = own.apiKeyEnv ?? preset.apiKeyEnv;
    return { ...own, baseUrl, ...(apiKeyEnv !== undefined && { apiKeyEnv }) };
  },
  unavailable: (spec, environment) => {
    if (!spec.baseUrl) {
      return {
        reason: `agent ${spec.name} has no baseUrl`,
        fix: `set agents.${spec.name}.baseUrl or preset`,
      };
    }
    if (!spec.model)
      return { reason: `agent ${spec.name} has no model`, fix: `set agents.${spec.name}.model` };
    const key = openAiAdapter.credentials(spec, environment);
    if (!key.found) {
      return {
        reason: `${spec.apiKeyEnv} is not set`,
        fix: `export ${spec.apiKeyEnv}=<your key> (the key itself never goes in the config file)`,
      };
    }
    return undefined;
  },
  credentials: (subject, environment) => {
    if (!subject.apiKeyEnv) return { found: true, detail: 'no key needed (local server)' };
    return environment[subject.apiKeyEnv]
      ? { found: true, detail: `${subject.apiKeyEnv} is set` }
      : { found: false, detail: `set ${subject.apiKeyEnv}` };
  },
  environment: () => ({ names: [], prefixes: [] }),
  // Only the reading tools for a step that only looks (openai-agent.ts).
  readOnly: (spec) => spec,
  doctor: (spec) => `${spec.baseUrl} model ${spec.model}`,
  plannerDescription: (spec) => `an OpenAI-compatible model (${spec.model}); edits files and can run tools`,
  // The client and its tools are loaded when a step first uses the agent (reading the configuration, as
  // `runs` does, needs none of them); its provider's limiter is taken now, as it was before loading was lazy.
  create: (spec, deps) => {
    const limiter = deps.limiterFor?.(spec);
    return lazyAgent(spec.name, async () =>
      (await import('./openai-agent.js')).createOpenAiAgent(
        spec,
        { ...deps, limiterFor: () => limiter },
        { ...(spec.maxToolRounds !== undefined && { maxToolRounds: spec.maxToolRounds }) },
      ),
    );
  },
  contract: {
    default: {
      ...everyContractCase,
      'timeout-leaves-no-process': noProcess,
      'cancel-leaves-no-process': noProcess,
      'pool-reuses-and-recycles': noProcess,
    },
  },
};
