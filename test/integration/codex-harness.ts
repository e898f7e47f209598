// Drives the codex adapter (both modes) against the REAL codex CLI and the scripted model server: an
// isolated HOME and CODEX_HOME per agent, the scripted server as the agent's own provider (`baseUrl`,
// `apiKeyEnv`), and helpers to look at processes in /proc. Used by codex-*.test.ts.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ProcessStartRecord } from '../../src/agents/agent.js';
import type { AgentDeps } from '../../src/agents/agent-deps.js';
import { CodexAgent } from '../../src/agents/codex/codex-agent.js';
import type { CodexSpec } from '../../src/agents/codex/codex-spec.js';
import { findTreeMembers } from '../../src/agents/process/kill-tree.js';
import { agentCliBinaries, testApiKey } from '../support/agent-cli-env.js';
import { testAgentDeps, testPool } from '../support/agent-deps.js';
import { workspaceDir } from '../support/agent-step.js';

export { failureOf, runStep, type StepRun, stepIn, workspaceDir } from '../support/agent-step.js';

import {
  type ModelServer,
  type ModelServerOptions,
  startModelServer,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

/** A model codex knows: it then offers its full tool set, apply_patch included (PROTOCOL-NOTES). */
export const codexModel = 'gpt-5.5';
export const keyVariable = 'SCRIPTED_MODEL_API_KEY';

/** An empty HOME with the CODEX_HOME codex requires to exist, and a TMPDIR outside /tmp (no helper warning). */
export function codexHome(): string {
  const home = tempDir('ai-collab-codex-home-');
  mkdirSync(join(home, '.codex'), { recursive: true });
  mkdirSync(join(home, 'tmp'), { recursive: true });
  return home;
}

/** The apply_patch text that adds `file` with one line. */
export function addFilePatch(file: string, line: string): string {
  return `*** Begin Patch\n*** Add File: ${file}\n+${line}\n*** End Patch\n`;
}

export function codexSpec(
  server: ModelServer,
  options: { mode?: 'exec' | 'app-server'; home?: string; overrides?: Partial<CodexSpec> } = {},
): CodexSpec {
  const home = options.home ?? codexHome();
  return {
    name: 'codex',
    adapter: 'codex',
    command: agentCliBinaries.codex,
    args: [],
    model: codexModel,
    env: {
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      TMPDIR: join(home, 'tmp'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      NO_COLOR: '1',
    },
    passEnv: [],
    pool: testPool({ prewarm: 1 }),
    capabilities: ['execute'],
    baseUrl: `${server.url}/v1`,
    apiKeyEnv: keyVariable,
    ...(options.mode && { mode: options.mode }),
    ...options.overrides,
  };
}

export function depsFor(workspace: string): AgentDeps {
  return testAgentDeps(workspace, { [keyVariable]: testApiKey });
}

export interface CodexSetup {
  server: ModelServer;
  agent: CodexAgent;
  deps: AgentDeps;
  spec: CodexSpec;
  workspace: string;
}

/** A scripted server, a workspace and an agent on them, all closed when the test ends. */
export async function setUpCodex(
  t: TestContext,
  server: ModelServerOptions,
  options: { mode?: 'exec' | 'app-server'; overrides?: Partial<CodexSpec> } = {},
): Promise<CodexSetup> {
  let close = async (): Promise<void> => {};
  // Registered before the temp directories are, so the servers are stopped before their HOME is removed
  // (hooks run in the order they were added; a live server still writes its session files there).
  t.after(() => close());
  const model = await startModelServer(server);
  const workspace = workspaceDir();
  const spec = codexSpec(model, options);
  const deps = depsFor(workspace);
  const agent = new CodexAgent(spec, deps);
  close = async () => {
    await agent.close();
    await model.close();
  };
  return { server: model, agent, deps, spec, workspace };
}

/** Live processes of a recorded step process: itself, its group and its descendants (tag optional). */
export async function liveTree(record: ProcessStartRecord, tag?: string): Promise<number[]> {
  return [...(await findTreeMembers({ ...record, ...(tag !== undefined && { tag }) }))];
}

/** Pids of live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (commandLine.includes(marker) && state !== 'Z') pids.push(Number(name));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}
