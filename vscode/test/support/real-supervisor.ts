import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/api-client.js';
import { isProcessAlive, readRssBytes } from '../../src/supervisor/process-probes.js';
import { nodeProcessSpawner } from '../../src/supervisor/process-spawner.js';
import { readServerInfo } from '../../src/supervisor/server-info.js';
import { ServerSupervisor, type SupervisorState } from '../../src/supervisor/server-supervisor.js';
import {
  defaultSupervisorSettings,
  type SupervisorOptions,
} from '../../src/supervisor/supervisor-options.js';
import { systemClock } from '../../src/support/clock.js';
import { MemoryLogger } from './memory-logger.js';

export const fakeServer = new URL('../fixtures/fake-server.mjs', import.meta.url).pathname;

export interface FakeBehaviour {
  crashStarts?: number;
  crashAfterMs?: number;
  growStarts?: number;
  growMb?: number;
  hangStarts?: number;
  ignoreSigterm?: boolean;
}

/** A supervisor with the real clock, spawner and probes, running test/fixtures/fake-server.mjs in a temp workspace. */
export function realSupervisor(behaviour: FakeBehaviour, options: Partial<SupervisorOptions> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'ai-collab-vscode-'));
  writeFileSync(join(workspace, 'behaviour.json'), JSON.stringify(behaviour));
  const logger = new MemoryLogger();
  const supervisor = new ServerSupervisor(
    {
      ...defaultSupervisorSettings,
      healthIntervalMs: 100,
      healthTimeoutMs: 500,
      maxHealthFailures: 2,
      startTimeoutMs: 10_000,
      backoff: { initialMs: 50, maxMs: 400 },
      stopGraceMs: 1_000,
      workspace,
      stateDir: join(workspace, '.ai-collab'),
      command: process.execPath,
      args: [fakeServer],
      env: { ...process.env },
      ...options,
    },
    {
      clock: systemClock,
      spawner: nodeProcessSpawner,
      logger,
      random: Math.random,
      readServerInfo,
      isAlive: isProcessAlive,
      rssBytes: readRssBytes,
      probe: async (server) => (await new ApiClient(server).health({ timeoutMs: 500 })).ok,
    },
  );
  const states: SupervisorState[] = [];
  supervisor.onDidChangeState((state) => states.push(state));
  const starts = (): number[] => {
    try {
      return readFileSync(join(workspace, 'starts.log'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  return { workspace, supervisor, logger, states, starts };
}

/** Resolves with the first state that matches, or rejects after `ms`. */
export function waitForState(
  supervisor: ServerSupervisor,
  predicate: (state: SupervisorState) => boolean,
  ms = 15_000,
): Promise<SupervisorState> {
  return new Promise((resolve, reject) => {
    if (predicate(supervisor.state)) {
      resolve(supervisor.state);
      return;
    }
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state not reached within ${ms} ms; last: ${JSON.stringify(supervisor.state)}`));
    }, ms);
    const stop = supervisor.onDidChangeState((state) => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    });
  });
}

/** Resolves once `pid` has exited (polls the process table; the test's only wait on the OS). */
export async function waitForExit(pid: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
