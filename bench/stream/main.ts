/**
 * `npm run bench:stream`: the dashboard stream against the seed's full-state broadcast, on the same events
 * (Part 1: one 1,000-step run observed by one client, plus the per-change size at other plan sizes), and
 * fan-out to 200 clients on loopback at about 50 events/s (Part 2), and the dashboard's time to first
 * render of a 1,000-step run in Chromium (Part 3, median). Exits 1 when a goal is missed.
 *
 * Options (after `npm run bench:stream --`): --steps N (1000), --sizes A,B (100,5000), --clients N (200),
 * --seconds N (20), --loads N (7).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BytesResult, measureBytes } from './bytes-part.js';
import { measureFanout } from './fanout-part.js';
import { type FirstRenderResult, firstRenderUnavailable, measureFirstRender } from './first-render-part.js';

const goals = { ratio: 100, p99Ms: 250, firstRenderMs: 1_000 };

function kib(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MiB` : `${(bytes / 1_024).toFixed(1)} KiB`;
}

function line(result: BytesResult): string {
  return [
    `${String(result.steps).padStart(6)} steps`,
    `${String(result.events).padStart(7)} changes`,
    `deltas ${kib(result.deltaBytes).padStart(10)} (${result.bytesPerChange.toFixed(0).padStart(4)} B/change)`,
    `state-only ${kib(result.stateOnlyBytes).padStart(10)}`,
    `seed ${kib(result.seedBytes).padStart(10)} (${kib(result.seedBytesPerChange)}/change)`,
    `ratio ${(result.stateOnlyBytes / result.deltaBytes).toFixed(0)}× / ${(result.seedBytes / result.deltaBytes).toFixed(0)}×`,
    result.sampled ? '(baseline sampled)' : '',
  ].join('  ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '1000' },
      sizes: { type: 'string', default: '100,5000' },
      clients: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      loads: { type: 'string', default: '7' },
    },
  });
  const root = mkdtempSync(join(tmpdir(), 'ai-collab-bench-stream-'));
  const problems: string[] = [];
  try {
    console.log('Part 1 — bytes to one client: deltas vs full-state broadcast on the same events');
    const main = await measureBytes(join(root, 'main'), Number(values.steps));
    console.log(line(main));
    const others: BytesResult[] = [];
    for (const size of values.sizes
      .split(',')
      .map(Number)
      .filter((size) => size > 0)) {
      const result = await measureBytes(join(root, `size-${size}`), size);
      others.push(result);
      console.log(line(result));
    }
    const ratio = main.stateOnlyBytes / main.deltaBytes;
    console.log(
      `  initial snapshot ${kib(main.snapshotBytes)}; ${main.deltaFrames} delta frames; reducer rebuilds the engine state: ${main.reducerMatches}; gaps ${main.gaps}`,
    );
    if (ratio < goals.ratio) problems.push(`ratio ${ratio.toFixed(0)}× < ${goals.ratio}×`);
    if (!main.reducerMatches || main.gaps > 0)
      problems.push('the client state differs from the engine state');
    const perChange = [main, ...others].map((result) => result.bytesPerChange);
    const spread = Math.max(...perChange) / Math.min(...perChange);
    console.log(
      `  bytes per change across plan sizes: ${perChange.map((value) => value.toFixed(0)).join(' / ')} (max/min ${spread.toFixed(2)})`,
    );
    if (spread > 1.5) problems.push(`bytes per change depend on plan size (max/min ${spread.toFixed(2)})`);

    console.log(`\nPart 2 — ${values.clients} clients on loopback, ~50 events/s for ${values.seconds} s`);
    const fanout = await measureFanout(join(root, 'fanout'), Number(values.clients), Number(values.seconds));
    console.log(
      `  ${fanout.open}/${fanout.clients} connected · ${fanout.eventsPerSecond.toFixed(1)} events/s · ${fanout.deliveries} deliveries · received per client ${fanout.minReceived}–${fanout.maxReceived}`,
    );
    console.log(
      `  latency p50 ${fanout.p50} ms · p95 ${fanout.p95} ms · p99 ${fanout.p99} ms · max ${fanout.max} ms · gaps ${fanout.gaps} · closed early ${fanout.closedEarly}`,
    );
    console.log(
      `  server event-loop lag p99 ${fanout.loopLagP99Ms.toFixed(1)} ms · RSS growth ${fanout.rssGrowthMb.toFixed(1)} MB`,
    );
    if (fanout.p99 >= goals.p99Ms) problems.push(`p99 ${fanout.p99} ms ≥ ${goals.p99Ms} ms`);
    if (fanout.gaps > 0 || fanout.closedEarly > 0 || fanout.open < fanout.clients)
      problems.push('fan-out lost clients or events');

    console.log(`\nPart 3 — the dashboard's first render of a ${values.steps}-step run in Chromium`);
    let firstRender: FirstRenderResult | undefined;
    const unavailable = firstRenderUnavailable();
    if (unavailable) console.log(`  skipped: ${unavailable}`);
    else {
      firstRender = await measureFirstRender(
        join(root, 'first-render'),
        Number(values.steps),
        Number(values.loads),
      );
      console.log(
        `  navigation start → first step drawn: median ${firstRender.medianMs} ms over ${firstRender.samples.length} loads (${firstRender.samples.join(', ')} ms)`,
      );
      if (firstRender.medianMs > goals.firstRenderMs)
        problems.push(`first render ${firstRender.medianMs} ms > ${goals.firstRenderMs} ms`);
    }

    mkdirSync('.artifacts', { recursive: true });
    writeFileSync(
      join('.artifacts', 'bench-stream.json'),
      `${JSON.stringify({ bytes: [main, ...others], fanout, firstRender }, null, 2)}\n`,
    );
    console.log(
      `\nbench:stream ${problems.length === 0 ? 'met every goal' : `missed: ${problems.join('; ')}`} — deltas ${ratio.toFixed(0)}× smaller than full state, p99 ${fanout.p99} ms for ${fanout.clients} clients${firstRender ? `, first render ${firstRender.medianMs} ms` : ''}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  process.exitCode = problems.length === 0 ? 0 : 1;
}

await main();
