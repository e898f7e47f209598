// Drives the claude adapter against the REAL Claude Code CLI and the scripted model server: its spec (built
// in code, or as an `agents:` entry of ai-collab.config.yaml for tests that go through `ai-collab run`), with
// a HOME of its own and the variables PROTOCOL-NOTES measured. Used by every test that runs claude.

import { join } from 'node:path';
import type { PoolSettings } from '../../src/agents/agent-spec.js';
import { ClaudeAgent } from '../../src/agents/claude/claude-agent.js';
import type { ClaudeSpec } from '../../src/agents/claude/claude-spec.js';
import { agentCliBinaries, claudeTestEnvironment } from '../support/agent-cli-env.js';
import { testAgentDeps, testPool } from '../support/agent-deps.js';
import { type ModelRequest, type Script, text, toolCall } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

export const claudeModel = 'claude-sonnet-4-5';

/** What claude needs to talk to the scripted model offline, one retry of its own at most. */
export function claudeEnvironment(serverUrl: string, home = tempDir('ai-collab-claude-home-')) {
  return claudeTestEnvironment(serverUrl, home);
}

export interface ClaudeSpecOptions {
  home?: string;
  mode?: ClaudeSpec['mode'];
  /** @default one process, not pre-warmed, for five steps */
  pool?: Partial<PoolSettings>;
}

export function claudeSpec(serverUrl: string, options: ClaudeSpecOptions = {}): ClaudeSpec {
  return {
    name: 'claude',
    adapter: 'claude',
    command: agentCliBinaries.claude,
    args: [],
    model: claudeModel,
    ...(options.mode && { mode: options.mode }),
    env: claudeEnvironment(serverUrl, options.home),
    passEnv: [],
    pool: testPool({ size: 1, maxUses: 5, ...options.pool }),
    capabilities: ['execute'],
  };
}

/** A claude agent working in `workspace`, built as the registry builds it. */
export function claudeAgent(
  serverUrl: string,
  workspace: string,
  options: ClaudeSpecOptions = {},
): ClaudeAgent {
  return new ClaudeAgent(claudeSpec(serverUrl, options), testAgentDeps(workspace));
}

/**
 * The same claude as an `agents:` entry of ai-collab.config.yaml, indented under `agents:`; `pool` is the
 * YAML flow map of its pool.
 */
export function claudeConfigYaml(
  serverUrl: string,
  options: { name?: string; command?: string; adapter?: boolean; pool?: string } = {},
): string {
  const environment = Object.entries(claudeEnvironment(serverUrl))
    .map(([name, value]) => `      ${name}: ${JSON.stringify(value)}`)
    .join('\n');
  return `  ${options.name ?? 'claude'}:
${options.adapter ? '    adapter: claude\n' : ''}    command: ${options.command ?? agentCliBinaries.claude}
    model: ${claudeModel}
    env:
${environment}
    pool: ${options.pool ?? '{ size: 1, prewarm: 1 }'}
`;
}

/** Claude Code names its working directory in the system prompt ("Primary working directory: /path"). */
export function workingDirectory(request: ModelRequest): string | undefined {
  const prompt = request.messages.map((message) => message.text).join('\n');
  return /(?:Primary working directory|Working directory): (\S+)/.exec(prompt)?.[1];
}

/**
 * A model that, asked to `CREATE-FILE <name>`, writes it in the working directory claude names (each
 * step's worktree), tells `onDirectory` which, then answers DONE.
 */
export function createFileScript(onDirectory: (directory: string) => void): Script {
  return (request) => {
    if (request.pendingToolResults.length > 0) return text('Created the file. DONE');
    const name = /CREATE-FILE (\S+)/.exec(request.lastUserText)?.[1];
    if (!name) return text('nothing to do');
    const cwd = workingDirectory(request);
    if (!cwd) return text('no working directory in the system prompt');
    onDirectory(cwd);
    return toolCall('Write', { file_path: join(cwd, name), content: `created by ${name}\n` });
  };
}
