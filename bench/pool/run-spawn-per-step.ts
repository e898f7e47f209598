/**
 * The seed's way: a fresh `claude -p <prompt>` per step (cli-manager's one-shot mode), waiting for it to
 * exit. Steps still run 4 at a time here, so only the spawn-per-step cost differs from the pool.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeInvocation } from '../../test/support/agent-cli-env.js';
import type { ModelServer } from '../../test/support/model-server/index.js';
import { firstRequestAt, type PhaseResult, startMemorySampler, stepMarker } from './measure.js';

export async function runSpawnPerStep(options: {
  server: ModelServer;
  steps: number;
  concurrency: number;
}): Promise<PhaseResult> {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-pool-seed-'));
  const home = mkdtempSync(join(tmpdir(), 'bench-pool-home-'));
  const readyAt: number[] = [];
  const memory = startMemorySampler();
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.steps) {
      const index = next++;
      const invocation = claudeInvocation({
        serverUrl: options.server.url,
        workspace,
        home,
        mode: 'json',
        prompt: `Answer briefly. ${stepMarker('seed', index)}`,
      });
      readyAt[index] = Date.now();
      const child = spawn(invocation.command, invocation.args, {
        cwd: invocation.cwd,
        env: invocation.env,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      await new Promise((resolve) => child.once('close', resolve));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const totalMs = Date.now() - started;
  const peakRssMb = memory.stop();
  const dispatchMs = readyAt.map((at, index) => firstRequestAt(options.server, 'seed', index) - at);
  return {
    dispatchMs,
    firstTurnOfProcess: dispatchMs.map(() => true),
    totalMs,
    processesStarted: options.steps,
    peakRssMb,
  };
}
