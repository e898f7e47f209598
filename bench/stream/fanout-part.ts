/**
 * Part 2: 200 clients on loopback (in a child process, so their work does not slow the server) follow
 * one run whose steps produce about 50 events a second; delivery latency, gaps, server event-loop lag and
 * memory are measured.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { chainPlan, startFixture } from './stream-fixture.js';

export interface FanoutResult {
  clients: number;
  seconds: number;
  eventsPerSecond: number;
  eventBytes: number;
  open: number;
  closedEarly: number;
  deliveries: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  gaps: number;
  minReceived: number;
  maxReceived: number;
  loopLagP99Ms: number;
  rssGrowthMb: number;
}

export async function measureFanout(
  stateDir: string,
  clients: number,
  seconds: number,
): Promise<FanoutResult> {
  // A chain of 40 ms steps: step.started + step.succeeded every 40 ms ≈ 50 events/s, ~1 KB outputs.
  const fixture = await startFixture(stateDir, () => ({ durationMs: 39, outputChars: 1_000 }), {
    maxConnections: clients + 10,
  });
  try {
    const plan = chainPlan(Math.ceil(seconds * 25) + 200, 'fanout');
    const created = fixture.engine.createRun({ plan, workspace: stateDir, planFile: null, concurrency: 1 });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('./fanout-clients.ts', import.meta.url).pathname,
        fixture.server.url,
        fixture.server.token,
        created.runId,
        String(clients),
        String(seconds * 1_000),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout });
    const iterator = lines[Symbol.asyncIterator]();
    await iterator.next();
    const handle = fixture.engine.startRun(created.runId);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const rssBefore = process.memoryUsage().rss;
    const startSeq = handle.state.lastSeq;
    const startedAt = Date.now();
    const report = JSON.parse(String((await iterator.next()).value)) as Omit<
      FanoutResult,
      'clients' | 'seconds' | 'eventsPerSecond' | 'eventBytes' | 'loopLagP99Ms' | 'rssGrowthMb'
    >;
    const elapsed = (Date.now() - startedAt) / 1_000;
    lag.disable();
    const produced = handle.state.lastSeq - startSeq;
    fixture.engine.cancel(created.runId);
    await handle.done;
    const succeeded = Object.values(handle.state.steps).find((step) => step.status === 'succeeded');
    return {
      clients,
      seconds: elapsed,
      eventsPerSecond: produced / elapsed,
      eventBytes: succeeded ? 1_000 : 0,
      ...report,
      loopLagP99Ms: lag.percentile(99) / 1e6,
      rssGrowthMb: (process.memoryUsage().rss - rssBefore) / 1_048_576,
    };
  } finally {
    await fixture.close();
  }
}
