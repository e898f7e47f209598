// Drives the gemini adapter (both modes) against the REAL Gemini CLI and the scripted model server:
// an isolated HOME per agent, the environment of test/support/agent-cli-env.ts, and helpers to look at
// processes in /proc. Used by gemini-*.test.ts and acp-gemini.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { AcpSpec } from '../../src/agents/acp/acp-spec.js';
import type { Agent } from '../../src/agents/agent.js';
import type { AgentDeps } from '../../src/agents/agent-deps.js';
import type { GeminiSpec } from '../../src/agents/gemini/gemini-spec.js';
import { agentCliBinaries, testApiKey } from '../support/agent-cli-env.js';
import { testAgentDeps, testPool } from '../support/agent-deps.js';
import { runStep, stepIn } from '../support/agent-step.js';

export { failureOf, runStep, type StepRun, stepIn, workspaceDir } from '../support/agent-step.js';

import {
  httpError,
  type ModelServer,
  type Script,
  startModelServer,
  type Turn,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

export const geminiModel = 'gemini-2.5-flash';

/** A HOME with the settings gemini needs offline; `general` entries (e.g. maxAttempts) are added as given. */
export function geminiHome(
  options: { general?: Record<string, unknown>; selectedType?: string | null } = {},
) {
  const home = tempDir('ai-collab-gemini-home-');
  mkdirSync(join(home, '.gemini'), { recursive: true });
  mkdirSync(join(home, 'tmp'), { recursive: true });
  const selectedType = options.selectedType === undefined ? 'gemini-api-key' : options.selectedType;
  const settings = {
    ...(selectedType !== null && { security: { auth: { selectedType } } }),
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, ...options.general },
    privacy: { usageStatisticsEnabled: false },
  };
  writeFileSync(join(home, '.gemini', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return home;
}

export interface SpecOptions {
  mode?: 'acp' | 'prompt';
  adapter?: 'gemini' | 'acp';
  home?: string;
  /** Environment entries to drop (e.g. GEMINI_API_KEY) or replace. */
  env?: Record<string, string | undefined>;
}

export function geminiSpec(server: ModelServer, options: SpecOptions & { adapter: 'acp' }): AcpSpec;
export function geminiSpec(server: ModelServer, options?: SpecOptions): GeminiSpec;
export function geminiSpec(server: ModelServer, options: SpecOptions = {}): AcpSpec | GeminiSpec {
  const home = options.home ?? geminiHome();
  const env: Record<string, string | undefined> = {
    HOME: home,
    TMPDIR: join(home, 'tmp'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    NO_COLOR: '1',
    GOOGLE_GEMINI_BASE_URL: server.url,
    GEMINI_API_KEY: testApiKey,
    // Tests only: temp workspaces are untrusted, and gemini -p refuses untrusted folders (exit 55).
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    ...options.env,
  };
  const common = {
    command: agentCliBinaries.gemini,
    env: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    passEnv: [],
    pool: testPool(),
    capabilities: ['execute' as const],
  };
  if (options.adapter === 'acp') {
    return { ...common, name: 'acp:gemini', adapter: 'acp', args: ['--acp', '-m', geminiModel] };
  }
  return {
    ...common,
    name: 'gemini',
    adapter: 'gemini',
    args: [],
    model: geminiModel,
    ...(options.mode && { mode: options.mode }),
  };
}

export function depsFor(workspace: string): AgentDeps {
  return testAgentDeps(workspace);
}

/** Epoch ms of the first model request received at or after `since`. */
export function firstModelRequestAfter(server: ModelServer, since: number): number | undefined {
  return server.requests.find((request) => request.model && request.receivedAt >= since)?.receivedAt;
}

/** Model calls since `since` that the server has not answered yet (still in their scripted delay). */
export function unansweredModelCallsAfter(server: ModelServer, since: number): number {
  return modelRequestsAfter(server, since).filter((request) => request.answeredAt === undefined).length;
}

export function modelRequestsAfter(server: ModelServer, since: number) {
  return server.requests.filter((request) => request.model && request.receivedAt >= since);
}

/** A process and all its descendants, from /proc (pid → parent pid). */
export function treeOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // Gone while we looked.
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    for (const [child, parent] of parents) if (parent === tree[index]) tree.push(child);
  }
  return tree.filter((member) => parents.has(member));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * The scripted model both gemini modes' tests talk to: the prompt's keyword picks the turn (CREATE-FILE
 * <name> IN <dir>, AUTH-FAIL, BAD-REQUEST, SERVER-ERROR, RATE-LIMIT, SLOW); `rateLimit` is the 429 turn.
 */
export function keywordScript(rateLimit: Turn): Script {
  return (request) => {
    const prompt = request.lastUserText;
    if (request.pendingToolResults.length > 0) return text('Wrote the file. DONE-MARKER');
    const create = /CREATE-FILE (\S+) IN (\S+)/.exec(prompt);
    if (create?.[1] && create[2]) {
      return toolCall('write_file', {
        file_path: join(create[2], create[1]),
        content: `created ${create[1]}\n`,
      });
    }
    if (prompt.includes('AUTH-FAIL'))
      return httpError(401, { message: 'API key not valid. Please pass a valid API key.' });
    if (prompt.includes('BAD-REQUEST')) return httpError(400, { message: 'bad request (scripted)' });
    if (prompt.includes('SERVER-ERROR')) return httpError(500);
    if (prompt.includes('RATE-LIMIT')) return rateLimit;
    if (prompt.includes('SLOW')) return text('too late', { delayMs: 60_000 });
    return text(`answer: ${prompt.slice(-20)}`);
  };
}

/**
 * The keyword-scripted server a gemini test file shares: started before its tests (unless they are
 * skipped) and closed after them.
 */
export function keywordServer(skip: string | undefined, rateLimit: Turn): { readonly server: ModelServer } {
  let server: ModelServer | undefined;
  before(async () => {
    if (skip) return;
    server = await startModelServer({ script: keywordScript(rateLimit) });
  });
  after(async () => {
    await server?.close();
  });
  return {
    get server() {
      return server ?? assert.fail('the scripted model server is not running');
    },
  };
}

/** Read, analyze and validate steps asked to create a file write nothing (gemini's plan mode); a write step does. */
export async function readOnlyStepsWriteNothing(agent: Agent, workspace: string): Promise<void> {
  for (const action of ['read', 'analyze', 'validate'] as const) {
    const { result } = await runStep(
      agent,
      stepIn(workspace, `CREATE-FILE ${action}.txt IN ${workspace}`, { action }),
    );
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(existsSync(join(workspace, `${action}.txt`)), false, `the ${action} step wrote a file`);
  }
  const { result } = await runStep(
    agent,
    stepIn(workspace, `CREATE-FILE write.txt IN ${workspace}`, { action: 'write' }),
  );
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(readFileSync(join(workspace, 'write.txt'), 'utf8'), 'created write.txt\n');
}
