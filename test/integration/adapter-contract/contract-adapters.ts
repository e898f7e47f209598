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
import type { AgentDeps } from '../../../src/agents/agent-deps.js';
import type { AdapterKind, AgentSpec } from '../../../src/agents/agent-spec.js';
import type { ClaudeSpec } from '../../../src/agents/claude/claude-spec.js';
import type { OpenAiSpec } from '../../../src/agents/openai/openai-spec.js';
import { MemoryProcessRegistry } from '../../../src/agents/process/process-registry.js';
import type { ShellSpec } from '../../../src/agents/shell/shell-spec.js';
import { systemClock } from '../../../src/support/clock.js';
import { silentLogger } from '../../../src/support/logger.js';
import {
  type AgentCliName,
  agentCliBinaries,
  agentCliMissing,
  claudeTestEnvironment,
  testApiKey,
} from '../../support/agent-cli-env.js';
import {
  type ModelServer,
  type Script,
  startModelServer,
  type Turn,
  toolCall,
} from '../../support/model-server/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { codexSpec } from '../codex-harness.js';
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
}

const keyVariable = 'SCRIPTED_MODEL_API_KEY';

function depsFor(workspace: string, environment: Record<string, string> = {}): AgentDeps {
  return {
    clock: systemClock,
    logger: silentLogger,
    // Only what any machine has: the user's own keys must not reach the CLI under test.
    environment: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...environment,
    },
    maxLogBytes: 4 * 1024 * 1024,
    killGraceMs: 1_000,
    processes: new MemoryProcessRegistry(),
    workspace,
  };
}

function newWorkspace(): string {
  const workspace = join(tempDir('ai-collab-contract-'), 'ws');
  mkdirSync(workspace);
  return workspace;
}

const smallPool = {
  size: 1,
  prewarm: 0,
  maxUses: 2,
  maxAgeMs: 600_000,
  maxMemoryBytes: 4 * 1024 ** 3,
  idleTimeoutMs: 600_000,
};

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
  const agent = descriptorOf(spec).create(spec, depsFor(workspace, environment));
  close = async () => {
    await agent.close?.();
    await server.close();
  };
  return { agent, server, workspace };
}

function claudeSpec(server: ModelServer, mode: 'stream' | 'oneshot'): ClaudeSpec {
  return {
    name: 'claude',
    adapter: 'claude',
    command: agentCliBinaries.claude,
    args: [],
    model: 'claude-sonnet-4-5',
    mode,
    env: claudeTestEnvironment(server.url, tempDir('ai-collab-claude-home-')),
    passEnv: [],
    pool: smallPool,
    capabilities: ['execute'],
  };
}

const modelWrites = {
  writePrompt: (file: string) => `Create ${file}`,
};

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
  }),
  claude: (mode, cases) => ({
    name: `claude ${mode}`,
    kind: 'claude',
    cases,
    missing: cli('claude'),
    setUp: (t, script) =>
      start(t, script, (server) => claudeSpec(server, mode === 'oneshot' ? 'oneshot' : 'stream')),
    writeTurn: (workspace, file, content) => toolCall('Write', { file_path: join(workspace, file), content }),
    ...modelWrites,
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
    writeTurn: (_workspace, file, content) =>
      toolCall(
        'apply_patch',
        `*** Begin Patch\n*** Add File: ${file}\n+${content.trimEnd()}\n*** End Patch\n`,
      ),
    ...modelWrites,
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
  }),
};

/** Every adapter in every mode its descriptor lists, in the list's order. */
export const contractAdapters: ContractAdapter[] = adapterKinds.flatMap((kind) =>
  Object.entries(adapterDescriptors[kind].contract).map(([mode, cases]) => entries[kind](mode, cases)),
);
