import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AdapterDescriptor } from '../../src/agents/adapter-descriptor.js';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { claudeAdapter } from '../../src/agents/claude/claude-adapter.js';
import { codexAdapter } from '../../src/agents/codex/codex-adapter.js';
import { geminiAdapter } from '../../src/agents/gemini/gemini-adapter.js';
import { skipWhenMissing } from './prerequisites.js';

// How to run the REAL claude, codex and gemini CLIs offline against the scripted model server
// (test/support/model-server): argv, environment and an isolated HOME for each. The flags and
// variables are the ones measured in test/support/model-server/PROTOCOL-NOTES.md; change both together.

const root = new URL('../..', import.meta.url).pathname;
const binDir = join(root, 'test', 'agent-clis', 'node_modules', '.bin');

export type AgentCliName = 'claude' | 'codex' | 'gemini';

/** Where `scripts/install-agent-clis.sh` puts each CLI. */
export const agentCliBinaries: Record<AgentCliName, string> = {
  claude: join(binDir, 'claude'),
  codex: join(binDir, 'codex'),
  gemini: join(binDir, 'gemini'),
};

/** Each CLI's npm package, pinned in test/agent-clis/package.json: its adapter descriptor's `testCli`. */
const agentCliPackages: Record<AgentCliName, string> = {
  claude: packageOf(claudeAdapter.testCli),
  codex: packageOf(codexAdapter.testCli),
  gemini: packageOf(geminiAdapter.testCli),
};

function packageOf(cli: AdapterDescriptor<AgentSpec>['testCli']): string {
  if ('package' in cli) return cli.package;
  throw new Error(`an agent CLI adapter has no pinned test CLI: ${cli.none}`);
}

/** Why the pinned CLI cannot be used here (no binary, or another version than the pin), else undefined. */
export function agentCliProblem(
  name: AgentCliName,
  directory = join(root, 'test', 'agent-clis'),
): string | undefined {
  const fix = 'run scripts/install-agent-clis.sh';
  const binary = join(directory, 'node_modules', '.bin', name);
  if (!existsSync(binary)) return `${name} is not installed (${binary}); ${fix}`;
  const pinned = readManifest(join(directory, 'package.json'))?.dependencies?.[agentCliPackages[name]];
  const installed = readManifest(
    join(directory, 'node_modules', agentCliPackages[name], 'package.json'),
  )?.version;
  return installed === pinned
    ? undefined
    : `${name} ${installed ?? '(unknown version)'} is installed, ${pinned ?? '(no pin)'} is pinned; ${fix}`;
}

/**
 * Why a CLI's tests are skipped, or undefined when the pinned CLI is installed. In CI a missing CLI fails
 * the test file instead (see prerequisites.ts).
 */
export function agentCliMissing(
  name: AgentCliName,
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return skipWhenMissing(agentCliProblem(name), { environment }) || undefined;
}

const manifestSchema = z.object({
  version: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
});

function readManifest(file: string): z.infer<typeof manifestSchema> | undefined {
  try {
    return manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Everything needed to spawn one CLI process: pass to child_process.spawn as is. */
export interface AgentCliInvocation {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** `pipe` for claude's long-lived stream-json input; `ignore` otherwise (see the notes on stdin). */
  stdin: 'pipe' | 'ignore';
}

interface CommonOptions {
  /** The scripted model server's `url`. */
  serverUrl: string;
  /** The working directory the agent may edit. */
  workspace: string;
  /** An empty directory used as HOME (config, sessions, caches): never the user's own. */
  home: string;
  model?: string;
}

/** The one fake key every CLI sends; the server records that a key was sent, not its value. */
export const testApiKey = 'test-key';

/** A claude agent's `env` in the orchestrator's config: the scripted server, the key, a HOME of its own. */
export function claudeTestEnvironment(serverUrl: string, home: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: testApiKey,
    HOME: home,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
  };
}

/**
 * A minimal environment: the user's variables (API keys, base URLs, CLAUDECODE from an enclosing
 * Claude Code session, CODEX_HOME, …) would change what the CLIs do, so only these pass through.
 */
function baseEnv(home: string): Record<string, string> {
  // Temp files (gemini's error reports, codex's helpers) stay in the test's HOME, and codex stops
  // warning that its CODEX_HOME lies under the system temp directory.
  const tmp = join(home, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    NO_COLOR: '1',
  };
}

export interface ClaudeOptions extends CommonOptions {
  /**
   * `stream-json`: long-lived, prompts are NDJSON user messages written to stdin, one `result` line per
   * turn. `json`: one-shot, `prompt` is the argument and one JSON object is printed at exit.
   */
  mode: 'stream-json' | 'json';
  prompt?: string;
  /** CLAUDE_CODE_MAX_RETRIES (default 10, clamped to 15): retries after a retryable API error. */
  maxRetries?: number;
  permissionMode?: 'acceptEdits' | 'bypassPermissions' | 'default' | 'plan';
}

export function claudeInvocation(options: ClaudeOptions): AgentCliInvocation {
  const model = options.model ?? 'claude-sonnet-4-5';
  const permission = ['--permission-mode', options.permissionMode ?? 'acceptEdits', '--model', model];
  const args =
    options.mode === 'stream-json'
      ? ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', ...permission]
      : ['-p', options.prompt ?? '', '--output-format', 'json', ...permission];
  const env: Record<string, string> = {
    ...baseEnv(options.home),
    ANTHROPIC_BASE_URL: options.serverUrl,
    ANTHROPIC_API_KEY: testApiKey,
    // No update checks, telemetry or error reporting: offline they only add noise and time.
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  };
  if (options.maxRetries !== undefined) env.CLAUDE_CODE_MAX_RETRIES = String(options.maxRetries);
  // As root (CI here) claude refuses bypassPermissions unless it is told it runs in a sandbox.
  if (options.permissionMode === 'bypassPermissions') env.IS_SANDBOX = '1';
  return {
    command: agentCliBinaries.claude,
    args,
    env,
    cwd: options.workspace,
    stdin: options.mode === 'stream-json' ? 'pipe' : 'ignore',
  };
}

/** One user turn for `claude --input-format stream-json`, newline included. */
export function claudeUserMessage(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' })}\n`;
}

export interface CodexOptions extends CommonOptions {
  prompt: string;
  /** Provider `request_max_retries` (default 4): retries of a request that got an HTTP error. */
  requestMaxRetries?: number;
  /** Provider `stream_max_retries` (default 5): "Reconnecting… n/5" after a failed/broken stream. */
  streamMaxRetries?: number;
  sandbox?: 'read-only' | 'workspace-write' | 'danger-full-access';
}

/** The provider id used in `-c model_providers.<id>…`; its key comes from this variable. */
const codexProvider = 'scripted';
const codexKeyVariable = 'SCRIPTED_MODEL_API_KEY';

export function codexInvocation(options: CodexOptions): AgentCliInvocation {
  const codexHome = join(options.home, '.codex');
  // codex refuses to start when CODEX_HOME names a directory that does not exist.
  mkdirSync(codexHome, { recursive: true });
  const provider = `model_providers.${codexProvider}`;
  const config = [
    `model_provider="${codexProvider}"`,
    `${provider}.name="${codexProvider}"`,
    `${provider}.base_url="${options.serverUrl}/v1"`,
    `${provider}.wire_api="responses"`,
    `${provider}.env_key="${codexKeyVariable}"`,
  ];
  if (options.requestMaxRetries !== undefined)
    config.push(`${provider}.request_max_retries=${options.requestMaxRetries}`);
  if (options.streamMaxRetries !== undefined)
    config.push(`${provider}.stream_max_retries=${options.streamMaxRetries}`);
  const args = [
    'exec',
    '--json',
    ...config.flatMap((entry) => ['-c', entry]),
    // A model codex knows (gpt-5.5) gets its full tool set, apply_patch included; an unknown name gets
    // a warning item and no apply_patch.
    '-m',
    options.model ?? 'gpt-5.5',
    '--skip-git-repo-check',
    '-s',
    options.sandbox ?? 'workspace-write',
    '-C',
    options.workspace,
    options.prompt,
  ];
  const env = { ...baseEnv(options.home), CODEX_HOME: codexHome, [codexKeyVariable]: testApiKey };
  return { command: agentCliBinaries.codex, args, env, cwd: options.workspace, stdin: 'ignore' };
}

export interface GeminiOptions extends CommonOptions {
  prompt: string;
  /** `auto_edit` approves file edits only; `yolo` also runs shell commands. Headless, anything asked is denied. */
  approvalMode?: 'default' | 'auto_edit' | 'yolo' | 'plan';
  outputFormat?: 'stream-json' | 'json' | 'text';
  /** settings `general.maxAttempts` (default 10, at most 10): attempts per model call, 1 = no retry. */
  maxAttempts?: number;
}

export function geminiInvocation(options: GeminiOptions): AgentCliInvocation {
  const settingsDir = join(options.home, '.gemini');
  mkdirSync(settingsDir, { recursive: true });
  const general: Record<string, unknown> = { enableAutoUpdate: false, enableAutoUpdateNotification: false };
  if (options.maxAttempts !== undefined) general.maxAttempts = options.maxAttempts;
  const settings = {
    // Without it gemini exits 41 ("Invalid auth method selected."): GEMINI_API_KEY alone is not enough.
    security: { auth: { selectedType: 'gemini-api-key' } },
    general,
    privacy: { usageStatisticsEnabled: false },
  };
  writeFileSync(join(settingsDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  const args = [
    '-p',
    options.prompt,
    '--output-format',
    options.outputFormat ?? 'stream-json',
    '--approval-mode',
    options.approvalMode ?? 'auto_edit',
    '-m',
    options.model ?? 'gemini-2.5-flash',
  ];
  const env = {
    ...baseEnv(options.home),
    GOOGLE_GEMINI_BASE_URL: options.serverUrl,
    GEMINI_API_KEY: testApiKey,
    // Tests only: a fresh temp workspace is untrusted, and headless gemini exits 55 in untrusted folders.
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
  };
  return { command: agentCliBinaries.gemini, args, env, cwd: options.workspace, stdin: 'ignore' };
}

export interface AgentCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The stdout lines that are JSON objects, parsed, in order (other lines are left out). */
  events: Record<string, unknown>[];
  /** Epoch milliseconds of the spawn and of the exit. */
  startedAt: number;
  endedAt: number;
}

export interface AgentCliProcess {
  child: ChildProcess;
  startedAt: number;
  /** The JSON lines printed so far (claude's long-lived mode is driven by watching these). */
  eventsSoFar(): Record<string, unknown>[];
  result: Promise<AgentCliResult>;
}

function jsonLines(text: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        events.push(value as Record<string, unknown>);
    } catch {
      // gemini's `json` format is one pretty-printed object over many lines: read it from `stdout`.
    }
  }
  return events;
}

/**
 * Spawns a CLI and collects its output. The process gets SIGKILL after `timeoutMs` so a CLI that hangs
 * (waiting on stdin, retrying for minutes) fails its test instead of the whole run.
 */
export function startAgentCli(invocation: AgentCliInvocation, timeoutMs = 90_000): AgentCliProcess {
  const startedAt = Date.now();
  const child = spawn(invocation.command, invocation.args, {
    cwd: invocation.cwd,
    env: invocation.env,
    stdio: [invocation.stdin, 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const result = new Promise<AgentCliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, events: jsonLines(stdout), startedAt, endedAt: Date.now() });
    });
  });
  return { child, startedAt, eventsSoFar: () => jsonLines(stdout), result };
}

export function runAgentCli(invocation: AgentCliInvocation, timeoutMs?: number): Promise<AgentCliResult> {
  return startAgentCli(invocation, timeoutMs).result;
}
