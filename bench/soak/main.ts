/**
 * `npm run soak`: `ai-collab serve` under steady load — one 20-step plan every 2 s through the HTTP API,
 * 5 WebSocket clients following every run — for N minutes (default 30; `npm run soak -- --minutes 3` for a
 * quick look). Checks that every run succeeded and every client got every event once, and compares the
 * server's RSS at the 2-minute mark with its RSS at the end. Exits 1 when a check fails or the end is more
 * than 5 MB above the mark.
 *
 * How RSS is compared: at the mark and at the end (both right after a plan was submitted, so the same load is
 * in flight), the soak asks the server's V8 for a full collection over the inspector protocol and then reads
 * RSS, three times a second apart, and compares the medians. Any single reading, or even a one-minute median,
 * lands somewhere on the old generation's saw-tooth, whose period at this load is longer than a minute: two
 * such readings differ by the collector's phase (up to ~12 MB seen), not by what the server keeps. After a
 * full collection what is left is memory something still holds, JS or native, which is what a leak grows.
 * The server gets `--inspect=127.0.0.1:0` for this and nothing else: the product's own flags are unchanged.
 * The raw medians of the minute before each reading are still printed beside the verdict. `--heap-diff`
 * also counts heap objects by constructor at both points and prints the kinds that grew (investigation; the
 * snapshots cost memory of their own, so the verdict of such a run is not comparable). A benchmark, not a
 * test: it takes minutes and measures the machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../scheduler/stats.js';
import { type HeapCounts, heapGrowth, Inspector, inspectorUrl } from './inspector.js';
import { probeSummary } from './probe-summary.js';
import { RssSamples, rssMb } from './rss-samples.js';
import { SoakClient } from './soak-clients.js';

const root = new URL('../..', import.meta.url).pathname;
const goalMb = 5;
/**
 * The raw medians cover the minute before each post-collection reading: after one, RSS starts again from the
 * bottom of the saw-tooth, so a window there would measure the soak's own collection.
 */
const windowMs = 60_000;
/** Post-collection readings per point, a second apart (V8 gives pages back once sweeping is done). */
const readingsPerPoint = 3;
const settleMs = 1_000;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    clients: { type: 'string', default: '5' },
    steps: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '2000' },
    // Investigation: a shorter warm-up for quick runs, a JSON-lines memory trace, glibc's arena count,
    // heap objects by constructor at the mark and at the end.
    'warmup-seconds': { type: 'string', default: '120' },
    probe: { type: 'string' },
    'malloc-arena-max': { type: 'string' },
    'heap-diff': { type: 'boolean', default: false },
    // With --heap-diff: a folder to keep the two snapshots in (mark.heapsnapshot, end.heapsnapshot).
    'heap-snapshots': { type: 'string' },
    // Node/V8 flags for the server alone (space-separated), e.g. `--node-flags=--no-memory-reducer`: which GC policy
    // a change in RSS follows.
    'node-flags': { type: 'string' },
  },
});
const warmupMs = Number(values['warmup-seconds']) * 1_000;
const durationMs = Number(values.minutes) * 60_000;
const intervalMs = Number(values['interval-ms']);

const snapshotPath = (point: string): string | undefined =>
  values['heap-snapshots'] ? join(values['heap-snapshots'], `${point}.heapsnapshot`) : undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const signed = (mb: number): string => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;

function planText(steps: number): string {
  // Four chains of five: some parallelism, some dependencies, nothing slow.
  const lines = ['name: soak', 'concurrency: 4', 'steps:'];
  for (let index = 0; index < steps; index++) {
    const needs = index % 5 === 0 ? '' : `, needs: [s${index - 1}]`;
    lines.push(`  - { id: s${index}, run: "true"${needs} }`);
  }
  return `${lines.join('\n')}\n`;
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One plan through the API; a keep-alive connection the server closed just then is retried once. */
async function submit(url: string, token: string, plan: string): Promise<Response> {
  const post = () =>
    fetch(`${url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: url, 'content-type': 'application/json' },
      body: JSON.stringify({ plan, file: 'soak.yaml' }),
    });
  try {
    return await post();
  } catch {
    return await post();
  }
}

interface Server {
  child: ChildProcess;
  /** Resolves with the inspector's ws:// URL once node has printed it. */
  inspectorUrl: Promise<string>;
}

function startServer(workspace: string): Server {
  const tsx = import.meta.resolve('tsx');
  const probe = values.probe ? ['--import', join(root, 'bench', 'soak', 'memory-probe.ts')] : [];
  const arenas = values['malloc-arena-max'];
  const nodeFlags = (values['node-flags'] ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      '--inspect=127.0.0.1:0',
      '--import',
      tsx,
      ...probe,
      join(root, 'src', 'cli', 'bin.ts'),
      'serve',
      '--port',
      '0',
    ],
    {
      cwd: workspace,
      env: {
        ...process.env,
        NO_COLOR: '1',
        AI_COLLAB_HOME: '',
        ...(values.probe ? { SOAK_PROBE_FILE: values.probe } : {}),
        ...(arenas ? { MALLOC_ARENA_MAX: arenas } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (data: Buffer) => {
      process.stderr.write(data);
      seen += data.toString();
      const found = inspectorUrl(seen);
      if (found) resolve(found);
    });
    child.once('exit', () => reject(new Error('the server exited before its inspector was listening')));
  });
  return { child, inspectorUrl: url };
}

interface PointReading {
  runs: number;
  /** Median RSS of the readings taken right after a full collection. */
  rssMb: number;
  readings: number[];
  heapUsedMb: number;
  externalMb: number;
}

/** RSS and V8's heap in use right after full collections: what the server still holds at this point. */
async function postCollectionReading(inspector: Inspector, pid: number, runs: number): Promise<PointReading> {
  const rss: number[] = [];
  const heapUsed: number[] = [];
  const external: number[] = [];
  for (let reading = 0; reading < readingsPerPoint; reading++) {
    await inspector.collectGarbage();
    await sleep(settleMs);
    rss.push(rssMb(pid));
    const usage = await inspector.memoryUsage();
    heapUsed.push(usage.heapUsed / 1_048_576);
    external.push(usage.external / 1_048_576);
  }
  return {
    runs,
    rssMb: median(rss),
    readings: rss,
    heapUsedMb: median(heapUsed),
    externalMb: median(external),
  };
}

function describe(label: string, point: PointReading, rawMedian: number): string {
  return `  ${label} (${point.runs} runs): RSS after a full collection ${point.rssMb.toFixed(1)} MB (of ${point.readings.map((mb) => mb.toFixed(1)).join(', ')}; V8 heap in use ${point.heapUsedMb.toFixed(1)} MB, external ${point.externalMb.toFixed(1)} MB); raw median of the minute before ${rawMedian.toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'ai-collab-soak-'));
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'approval:\n  policy: never\n');
  const server = startServer(workspace);
  const pid = server.child.pid ?? 0;
  const clients: SoakClient[] = [];
  let inspector: Inspector | undefined;
  try {
    inspector = new Inspector(await server.inspectorUrl);
    await inspector.opened;
    const serverFile = join(workspace, '.ai-collab', 'server.json');
    await until(() => existsSync(serverFile), 'the server to start', 300_000);
    const { url, token } = JSON.parse(readFileSync(serverFile, 'utf8')) as { url: string; token: string };
    for (let index = 0; index < Number(values.clients); index++) clients.push(new SoakClient(url, token));
    await Promise.all(clients.map((client) => client.opened));

    const plan = planText(Number(values.steps));
    const runIds: string[] = [];
    const failures: string[] = [];
    const started = Date.now();
    const samples = new RssSamples(pid, 5_000);
    let atMark: PointReading | undefined;
    let atEnd: PointReading | undefined;
    let countsAtMark: HeapCounts | undefined;
    let countsAtEnd: HeapCounts | undefined;
    let markAtMs = 0;
    let endAtMs = 0;
    console.log(
      `soak: ${values.minutes} min, a ${values.steps}-step plan every ${intervalMs} ms, ${clients.length} clients (server pid ${pid})`,
    );
    while (atEnd === undefined) {
      const tickStart = Date.now();
      const response = await submit(url, token, plan);
      if (response.status !== 201) {
        throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
      }
      runIds.push(((await response.json()) as { runId: string }).runId);
      // Both points are read right after a submission, so the same load is in flight at each.
      const elapsed = Date.now() - started;
      if (atMark === undefined && elapsed >= warmupMs) {
        markAtMs = elapsed;
        atMark = await postCollectionReading(inspector, pid, runIds.length);
        if (values['heap-diff']) countsAtMark = await inspector.heapCounts(snapshotPath('mark'));
        console.log(
          `  mark read after ${runIds.length} runs: ${atMark.rssMb.toFixed(1)} MB after a full collection`,
        );
      } else if (atMark !== undefined && elapsed + intervalMs >= durationMs) {
        endAtMs = elapsed;
        atEnd = await postCollectionReading(inspector, pid, runIds.length);
        if (values['heap-diff']) countsAtEnd = await inspector.heapCounts(snapshotPath('end'));
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - tickStart)));
    }
    await until(
      () => clients.every((client) => runIds.every((runId) => client.finished(runId))),
      'every client to see every run finish',
      120_000,
    );
    samples.stop();
    const medianAtWarmup = samples.medianBetween(markAtMs - windowMs, markAtMs);
    const medianAtEnd = samples.medianBetween(endAtMs - windowMs, endAtMs);
    const statuses = runIds.map((runId) => clients[0]?.statusOf(runId));
    const notSucceeded = statuses.filter((status) => status !== 'succeeded').length;
    if (notSucceeded > 0) failures.push(`${notSucceeded} of ${runIds.length} runs did not succeed`);
    const reports = clients.map((client) => client.report(runIds));
    for (const [index, report] of reports.entries()) {
      for (const problem of report.problems.slice(0, 5)) failures.push(`client ${index + 1}: ${problem}`);
    }
    const mark = atMark ?? {
      runs: 0,
      rssMb: Number.NaN,
      readings: [],
      heapUsedMb: Number.NaN,
      externalMb: Number.NaN,
    };
    const growth = atEnd.rssMb - mark.rssMb;
    const rawGrowth = medianAtEnd - medianAtWarmup;
    console.log(describe('at the mark', mark, medianAtWarmup));
    console.log(describe('at the end ', atEnd, medianAtEnd));
    console.log(
      `  end − mark: RSS after a full collection ${signed(growth)} (V8 heap in use ${signed(atEnd.heapUsedMb - mark.heapUsedMb)}); raw one-minute medians ${signed(rawGrowth)}`,
    );
    if (!(growth <= goalMb))
      failures.push(
        `RSS after a full collection grew ${growth.toFixed(1)} MB after the 2-minute mark (goal ≤ ${goalMb} MB)`,
      );
    if (countsAtMark && countsAtEnd) {
      console.log(
        '  heap objects that grew most, mark → end (grew, count at the end, bytes grown, type:constructor):',
      );
      for (const line of heapGrowth(countsAtMark, countsAtEnd, 25)) console.log(line);
    }
    if (values.probe && existsSync(values.probe)) {
      console.log(`  where the server's memory lives, by minute of its life (from ${values.probe}):`);
      for (const line of probeSummary(values.probe)) console.log(line);
    }
    for (const failure of failures) console.log(`  FAIL ${failure}`);
    const events = reports.reduce((sum, report) => sum + report.events, 0);
    console.log(
      `soak ${failures.length === 0 ? 'ok' : 'FAILED'}: ${runIds.length} runs, ${runIds.length - notSucceeded} succeeded, ${events} events to ${clients.length} clients (each once: ${reports.every((report) => report.problems.length === 0) ? 'yes' : 'no'}), RSS after a full collection ${mark.rssMb.toFixed(1)} → ${atEnd.rssMb.toFixed(1)} MB (${signed(growth)}, ×${(atEnd.rssMb / mark.rssMb).toFixed(3)}; raw medians ${signed(rawGrowth)})`,
    );
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    inspector?.close();
    for (const client of clients) client.close();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
