/**
 * The product's way: a plan of independent steps on the claude agent through the engine, with a warm pool
 * as large as the concurrency, pre-warmed before the run starts (as `ai-collab run` does at plan start).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { ClaudeAgent } from '../../src/agents/claude/claude-agent.js';
import { MemoryProcessRegistry } from '../../src/agents/process/process-registry.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { Engine } from '../../src/engine/engine.js';
import { SlotPool } from '../../src/limits/slot-pool.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { agentCliBinaries, testApiKey } from '../../test/support/agent-cli-env.js';
import type { ModelServer } from '../../test/support/model-server/index.js';
import { firstRequestAt, type PhaseResult, startMemorySampler, stepMarker } from './measure.js';

export async function runPooled(options: {
  server: ModelServer;
  steps: number;
  concurrency: number;
  /** Extra claude arguments, e.g. --bare. */
  args?: string[];
  phase?: string;
}): Promise<PhaseResult> {
  const phase = options.phase ?? 'pool';
  const workspace = mkdtempSync(join(tmpdir(), 'bench-pool-warm-'));
  const home = mkdtempSync(join(tmpdir(), 'bench-pool-home-'));
  const spec: AgentSpec = {
    name: 'claude',
    adapter: 'claude',
    command: agentCliBinaries.claude,
    args: options.args ?? [],
    model: 'claude-sonnet-4-5',
    env: {
      HOME: home,
      ANTHROPIC_BASE_URL: options.server.url,
      ANTHROPIC_API_KEY: testApiKey,
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
    },
    passEnv: [],
    pool: {
      size: options.concurrency,
      prewarm: options.concurrency,
      maxUses: 1_000,
      maxAgeMs: 3_600_000,
      maxMemoryBytes: 4 * 1024 ** 3,
      idleTimeoutMs: 3_600_000,
    },
    capabilities: ['execute'],
  };
  const memory = startMemorySampler();
  const agent = new ClaudeAgent(spec, {
    clock: systemClock,
    logger: silentLogger,
    environment: { PATH: process.env.PATH, LANG: process.env.LANG },
    maxLogBytes: 10 * 1024 * 1024,
    killGraceMs: 2_000,
    processes: new MemoryProcessRegistry(),
    workspace,
  });
  const registry = new AgentRegistry().register('claude', agent);
  const store = new SqliteStore({ path: join(workspace, 'state.db'), clock: systemClock });
  const engine = new Engine({
    store,
    clock: systemClock,
    logger: silentLogger,
    random: Math.random,
    agents: registry,
    slots: new SlotPool(),
    owner: { pid: process.pid, startTime: '0', bootId: 'bench', host: 'bench' },
    stateDir: workspace,
    killGraceMs: 2_000,
  });
  await agent.warm();
  const run = engine.createRun({
    plan: {
      name: 'bench-pool',
      format: 'native',
      concurrency: options.concurrency,
      steps: Array.from({ length: options.steps }, (_, index) => ({
        id: `s${index}`,
        label: `s${index}`,
        agent: 'claude',
        prompt: `Answer briefly. ${stepMarker(phase, index)}`,
        needs: [],
        retries: 0,
        backoff: { initialMs: 1_000, maxMs: 1_000, factor: 1 },
      })),
    },
    workspace,
    planFile: null,
  });
  const readyAt = new Map<string, number>();
  const pidOf = new Map<string, number>();
  const handle = engine.startRun(run.runId);
  handle.subscribe((event) => {
    if (event.type === 'step.started') readyAt.set(event.data.stepId, event.at);
    if (event.type === 'step.process-started') pidOf.set(event.data.stepId, event.data.process.pid);
  });
  const started = Date.now();
  const state = await handle.done;
  const totalMs = Date.now() - started;
  if (state.status !== 'succeeded') throw new Error(`the pooled run ended ${state.status}`);
  const peakRssMb = memory.stop();
  const spawned = agent.poolStats().reduce((sum, pool) => sum + pool.spawned, 0);
  await registry.closeAll();
  store.close();
  const order = Array.from({ length: options.steps }, (_, index) => `s${index}`).sort(
    (a, b) => (readyAt.get(a) ?? 0) - (readyAt.get(b) ?? 0),
  );
  const seenPids = new Set<number>();
  const firstTurn = new Map<string, boolean>();
  for (const id of order) {
    const pid = pidOf.get(id) ?? -1;
    firstTurn.set(id, !seenPids.has(pid));
    seenPids.add(pid);
  }
  return {
    dispatchMs: Array.from(
      { length: options.steps },
      (_, index) => firstRequestAt(options.server, phase, index) - (readyAt.get(`s${index}`) ?? 0),
    ),
    firstTurnOfProcess: Array.from(
      { length: options.steps },
      (_, index) => firstTurn.get(`s${index}`) ?? true,
    ),
    totalMs,
    processesStarted: spawned,
    peakRssMb,
  };
}
