import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApiClient } from '../../src/api/api-client.js';
import { isProcessAlive, readRssBytes } from '../../src/supervisor/process-probes.js';
import { nodeProcessSpawner } from '../../src/supervisor/process-spawner.js';
import { readServerInfo } from '../../src/supervisor/server-info.js';
import { ServerSupervisor } from '../../src/supervisor/server-supervisor.js';
import { defaultSupervisorSettings } from '../../src/supervisor/supervisor-options.js';
import { systemClock } from '../../src/support/clock.js';
import { MemoryLogger } from './memory-logger.js';

const vscodeRoot = new URL('../../', import.meta.url).pathname;
/** The repository's CLI from source, through tsx: always the current code, no build needed. */
export const cliCommand = {
  command: process.execPath,
  args: [
    '--import',
    pathToFileURL(join(vscodeRoot, 'node_modules/tsx/dist/loader.mjs')).href,
    join(vscodeRoot, '../src/cli/bin.ts'),
  ],
};

/** A temp git workspace whose config has only shell agents, so no model is needed. */
export function shellWorkspace(): string {
  const workspace = mkdtempSync(join(tmpdir(), 'ai-collab-vscode-real-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: workspace });
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'approval:\n  policy: never\n');
  return workspace;
}

/** The real `ai-collab serve`, started and supervised by the extension's supervisor. */
export function realServer(workspace: string) {
  const logger = new MemoryLogger();
  const supervisor = new ServerSupervisor(
    {
      ...defaultSupervisorSettings,
      workspace,
      stateDir: join(workspace, '.ai-collab'),
      ...cliCommand,
      env: { ...process.env, AI_COLLAB_CONFIG_JSON: JSON.stringify({ approval: { policy: 'never' } }) },
      startTimeoutMs: 30_000,
      stopGraceMs: 5_000,
    },
    {
      clock: systemClock,
      spawner: nodeProcessSpawner,
      logger,
      random: Math.random,
      readServerInfo,
      isAlive: isProcessAlive,
      rssBytes: readRssBytes,
      probe: async (server) => (await new ApiClient(server).health({ timeoutMs: 3_000 })).ok,
    },
  );
  return { supervisor, logger };
}
