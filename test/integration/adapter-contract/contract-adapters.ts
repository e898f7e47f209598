// One entry per adapter and mode the contract suite runs (`<kind> <mode>`), each able to start its agent
// on the REAL CLI (or API client) against the scripted model server, and to say how its model writes a file.
// The list is keyed by the descriptors': an adapter added to src/agents/adapters.ts without an entry here
// does not compile.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { AcpSpec } from '../../../src/agents/acp/acp-spec.js';
import type { ContractSupport } from '../../../src/agents/adapter-descriptor.js';
import { adapterDescriptors, adapterKinds, descriptorOf } from '../../../src/agents/adapters.js';
import type { Agent } from '../../../src/agents/agent.js';
import type { AdapterKind, AgentSpec } from '../../../src/agents/agent-spec.js';
import type { OpenAiSpec } from '../../../src/agents/openai/openai-spec.js';
import type { ShellSpec } from '../../../src/agents/shell/shell-spec.js';
import type { FailureKind } from '../../../src/support/errors.js';
import { type AgentCliName, agentCliMissing, testApiKey } from '../../support/agent-cli-env.js';
import { testAgentDeps, testPool } from '../../support/agent-deps.js';
import {
  httpError,
  type ModelServer,
  type Script,
  startModelServer,
  type Turn,
  text,
  toolCall,
} from '../../support/model-server/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { claudeSpec } from '../claude-harness.js';
import { addFilePatch, codexSpec, keyVariable } from '../codex-harness.js';
import { geminiSpec } from '../gemini-harness.js';

export interface ContractSetup {
  agent: Agent;
  server: ModelServer;
  workspace: string;
}

export interface ContractAdapter {
  /** `<kind> <mode>` (mode `default` when the adapter has none). */
  name: string;
  kind: AdapterKind;
  cases: ContractSupport;
  /** Why the real CLI cannot run here (not installed), else undefined. */
  missing: string | false | undefined;
  setUp(t: TestContext, script: Script): Promise<ContractSetup>;
  /** The model's turn that makes this adapter write `content` to `file` in the workspace. */
  writeTurn(workspace: string, file: string, content: string): Turn;
  /** The step prompt for a step that writes the file (shell: the command itself). */
  writePrompt(file: string, content: string): string;
  /** How the provider says the account's usage limit is reached (resetting at `resetAt`), and what that is. */
  usageLimit(resetAt: number): UsageLimit;
}

/** A provider's "usage limit reached" as this adapter's CLI meets it, and the failure it must become. */
export interface UsageLimit {
  turn: Turn;
  kind: FailureKind;
  /** The reset the failure carries (the engine parks the step until then): a time, a delay from the answer, or none. */
  reset: { at: number } | { afterMs: number } | undefined;
}

function newWorkspace(): string {
  const workspace = join(tempDir('ai-collab-contract-'), 'ws');
  mkdirSync(workspace);
  return workspace;
}

/** One process for at most two steps: what the pool case needs to see reuse and recycling. */
const smallPool = testPool({ size: 1, maxUses: 2 });

/** A scripted server and an agent built through its descriptor (as the registry builds it), closed after the test. */
async function start(
  t: TestContext,
  script: Script,
  specOf: (server: ModelServer, workspace: string) => AgentSpec,
  environment: Record<string, string> = {},
): Promise<ContractSetup> {
  let close = async (): Promise<void> => {};
  t.after(() => close());
  const server = await startModelServer({ script });
  const workspace = newWorkspace();
  const spec = specOf(server, workspace);
  const agent = descriptorOf(spec).create(spec, testAgentDeps(workspace, environment));
  close = async () => {
    await agent.close?.();
    await server.close();
  };
  return { agent, server, workspace };
}

const modelWrites = {
  writePrompt: (file: string) => `Create ${file}`,
};

/** OpenAI-style providers: a 429 whose error type says what ran out, as ChatGPT plans answer codex. */
function codexUsageLimit(resetAt: number): UsageLimit {
  const resetsAt = Math.floor(resetAt / 1_000);
  return {
    turn: httpError(429, {
      message: 'The usage limit has been reached',
      errorFields: { type: 'usage_limit_reached', resets_at: resetsAt, plan_type: 'plus' },
    }),
    kind: 'usage-limit',
    reset: { at: resetsAt * 1_000 },
  };
}

/**
 * Gemini's exhausted quota (`limit: 0`): terminal for the CLI, which does not retry it, with the delay it
 * names. ("You have exhausted your capacity … retry in 3h" is not: measured on the pinned CLI, a step
 * given it had not ended four minutes later, in either mode.)
 */
function geminiUsageLimit(resetAt: number): UsageLimit {
  const seconds = Math.ceil((resetAt - Date.now()) / 1_000);
  return {
    turn: httpError(429, {
      message: `Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-flash. Please retry in ${seconds}s.`,
    }),
    kind: 'usage-limit',
    reset: { afterMs: seconds * 1_000 },
  };
}

function cli(name: AgentCliName) {
  return agentCliMissing(name);
}

type Entries = { readonly [K in AdapterKind]: (mode: string, cases: ContractSupport) => ContractAdapter };

const entries: Entries = {
  shell: (mode, cases) => ({
    name: `shell ${mode}`,
    kind: 'shell',
    cases,
    missing: undefined,
    setUp: (t, script) =>
      start(
        t,
        script,
        (): ShellSpec => ({
          name: 'shell',
          adapter: 'shell',
          command: '',
          args: [],
          env: {},
          passEnv: [],
          pool: smallPool,
          capabilities: ['execute'],
        }),
      ),
    writeTurn: () => {
      throw new Error('a shell step has no model turn');
    },
    writePrompt: (file, content) => `printf '%s' '${content}' > ${file}`,
    usageLimit: () => {
      throw new Error('a shell step has no provider');
    },
  }),
  claude: (mode, cases) => ({
    name: `claude ${mode}`,
    kind: 'claude',
    cases,
    missing: cli('claude'),
    setUp: (t, script) =>
      start(t, script, (server) =>
        claudeSpec(server.url, { mode: mode === 'oneshot' ? 'oneshot' : 'stream', pool: smallPool }),
      ),
    writeTurn: (workspace, file, content) => toolCall('Write', { file_path: join(workspace, file), content }),
    ...modelWrites,
    // What claude prints as the turn's result when a plan's limit is hit (its reset in epoch seconds).
    usageLimit: (resetAt) => {
      const seconds = Math.floor(resetAt / 1_000);
      return {
        turn: text(`Claude AI usage limit reached|${seconds}`),
        kind: 'usage-limit',
        reset: { at: seconds * 1_000 },
      };
    },
  }),
  codex: (mode, cases) => ({
    name: `codex ${mode}`,
    kind: 'codex',
    cases,
    missing: cli('codex'),
    setUp: (t, script) =>
      start(
        t,
        script,
        (server) => ({
          ...codexSpec(server, { mode: mode === 'app-server' ? 'app-server' : 'exec' }),
          pool: smallPool,
        }),
        { [keyVariable]: testApiKey },
      ),
    writeTurn: (_workspace, file, content) => toolCall('apply_patch', addFilePatch(file, content.trimEnd())),
    ...modelWrites,
    usageLimit: codexUsageLimit,
  }),
  gemini: (mode, cases) => ({
    name: `gemini ${mode}`,
    kind: 'gemini',
    cases,
    missing: cli('gemini'),
    setUp: (t, script) =>
      start(t, script, (server) => ({
        ...geminiSpec(server, { mode: mode === 'prompt' ? 'prompt' : 'acp' }),
        pool: smallPool,
      })),
    writeTurn: (workspace, file, content) =>
      toolCall('write_file', { file_path: join(workspace, file), content }),
    ...modelWrites,
    usageLimit: geminiUsageLimit,
  }),
  acp: (mode, cases) => ({
    name: `acp ${mode} (gemini --acp)`,
    kind: 'acp',
    cases,
    missing: cli('gemini'),
    setUp: (t, script) =>
      start(t, script, (server): AcpSpec => ({ ...geminiSpec(server, { adapter: 'acp' }), pool: smallPool })),
    writeTurn: (workspace, file, content) =>
      toolCall('write_file', { file_path: join(workspace, file), content }),
    ...modelWrites,
    usageLimit: geminiUsageLimit,
  }),
  openai: (mode, cases) => ({
    name: `openai ${mode}`,
    kind: 'openai',
    cases,
    missing: undefined,
    setUp: (t, script) =>
      start(
        t,
        script,
        (server): OpenAiSpec => ({
          name: 'openai',
          adapter: 'openai',
          command: '',
          args: [],
          env: {},
          passEnv: [],
          pool: smallPool,
          capabilities: ['execute'],
          baseUrl: `${server.url}/v1`,
          model: 'scripted-model',
          apiKeyEnv: keyVariable,
        }),
        { [keyVariable]: testApiKey },
      ),
    writeTurn: (_workspace, file, content) => toolCall('write_file', { path: file, content }),
    ...modelWrites,
    // A prepaid balance that ran out: waiting does not refill it, so it is permanent, with no reset.
    usageLimit: () => ({
      turn: httpError(429, {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        errorFields: { type: 'insufficient_quota', code: 'insufficient_quota' },
      }),
      kind: 'permanent',
      reset: undefined,
    }),
  }),
};

/** Every adapter in every mode its descriptor lists, in the list's order. */
export const contractAdapters: ContractAdapter[] = adapterKinds.flatMap((kind) =>
  Object.entries(adapterDescriptors[kind].contract).map(([mode, cases]) => entries[kind](mode, cases)),
);
