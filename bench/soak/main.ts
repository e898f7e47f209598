/**
 * `npm run soak`: `ai-collab serve` under steady load — one 20-step plan every 2 s through the HTTP API,
 * 5 WebSocket clients following every run — for N minutes (default 30; `npm run soak -- --minutes 3` for a
 * quick look). Prints the server's RSS at the 2-minute mark and at the end, and checks that every run
 * succeeded and every client got every event once. Exits 1 when a check fails or the median RSS of the
 * last minute is more than 5 MB above that of the minute after the 2-minute mark (one reading lands
 * anywhere on the garbage collector's saw-tooth). A benchmark, not a test: it takes minutes and measures
 * the machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { probeSummary } from './probe-summary.js';
import { RssSamples, rssMb } from './rss-samples.js';
import { SoakClient } from './soak-clients.js';

const root = new URL('../..', import.meta.url).pathname;
const goalMb = 5;
/** Each median covers this long: the minute after the warm-up mark, and the last minute. */
const windowMs = 60_000;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    clients: { type: 'string', default: '5' },
    steps: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '2000' },
    // Investigation: a shorter warm-up for quick runs, a JSON-lines memory trace, glibc's arena count.
    'warmup-seconds': { type: 'string', default: '120' },
    probe: { type: 'string' },
    'malloc-arena-max': { type: 'string' },
    // Node/V8 flags for the server alone (space-separated), e.g. `--node-flags=--no-memory-reducer`: which GC policy
    // a change in RSS follows.
    'node-flags': { type: 'string' },
  },
});
const warmupMs = Number(values['warmup-seconds']) * 1_000;
const durationMs = Number(values.minutes) * 60_000;
const intervalMs = Number(values['interval-ms']);

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
    await new Promise((resolve) => setTimeout(resolve, 50));
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

function startServer(workspace: string): ChildProcess {
  const tsx = import.meta.resolve('tsx');
  const probe = values.probe ? ['--import', join(root, 'bench', 'soak', 'memory-probe.ts')] : [];
  const arenas = values['malloc-arena-max'];
  const nodeFlags = (values['node-flags'] ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--import', tsx, ...probe, join(root, 'src', 'cli', 'bin.ts'), 'serve', '--port', '0'],
    {
      cwd: workspace,
      env: {
        ...process.env,
        NO_COLOR: '1',
        AI_COLLAB_HOME: '',
        ...(values.probe ? { SOAK_PROBE_FILE: values.probe } : {}),
        ...(arenas ? { MALLOC_ARENA_MAX: arenas } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return child;
}

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'ai-collab-soak-'));
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'approval:\n  policy: never\n');
  const server = startServer(workspace);
  const clients: SoakClient[] = [];
  try {
    const serverFile = join(workspace, '.ai-collab', 'server.json');
    await until(() => existsSync(serverFile), 'the server to start', 300_000);
    const { url, token } = JSON.parse(readFileSync(serverFile, 'utf8')) as { url: string; token: string };
    for (let index = 0; index < Number(values.clients); index++) clients.push(new SoakClient(url, token));
    await Promise.all(clients.map((client) => client.opened));

    const plan = planText(Number(values.steps));
    const runIds: string[] = [];
    const failures: string[] = [];
    const started = Date.now();
    const samples = new RssSamples(server.pid ?? 0, 5_000);
    let rssAtWarmup: number | undefined;
    console.log(
      `soak: ${values.minutes} min, a ${values.steps}-step plan every ${intervalMs} ms, ${clients.length} clients (server pid ${server.pid})`,
    );
    while (Date.now() - started < durationMs) {
      const tickStart = Date.now();
      const response = await submit(url, token, plan);
      if (response.status !== 201) {
        throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
      }
      runIds.push(((await response.json()) as { runId: string }).runId);
      if (rssAtWarmup === undefined && Date.now() - started >= warmupMs) {
        rssAtWarmup = rssMb(server.pid ?? 0);
        console.log(`  RSS at the warm-up mark: ${rssAtWarmup.toFixed(1)} MB (${runIds.length} runs)`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - tickStart))));
    }
    const loadEnded = Date.now() - started;
    await until(
      () => clients.every((client) => runIds.every((runId) => client.finished(runId))),
      'every client to see every run finish',
      120_000,
    );
    const rssAtEnd = rssMb(server.pid ?? 0);
    samples.stop();
    const medianAtWarmup = samples.medianBetween(warmupMs, warmupMs + windowMs);
    const medianAtEnd = samples.medianBetween(loadEnded - windowMs, loadEnded);
    const statuses = runIds.map((runId) => clients[0]?.statusOf(runId));
    const notSucceeded = statuses.filter((status) => status !== 'succeeded').length;
    if (notSucceeded > 0) failures.push(`${notSucceeded} of ${runIds.length} runs did not succeed`);
    const reports = clients.map((client) => client.report(runIds));
    for (const [index, report] of reports.entries()) {
      for (const problem of report.problems.slice(0, 5)) failures.push(`client ${index + 1}: ${problem}`);
    }
    const base = rssAtWarmup ?? Number.NaN;
    const growth = medianAtEnd - medianAtWarmup;
    const signed = (mb: number): string => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
    console.log(
      `  RSS at the end: ${rssAtEnd.toFixed(1)} MB (${runIds.length} runs; one reading each: ${signed(rssAtEnd - base)})`,
    );
    console.log(
      `  median RSS, the minute after the mark → the last minute: ${medianAtWarmup.toFixed(1)} → ${medianAtEnd.toFixed(1)} MB (${signed(growth)})`,
    );
    if (!(growth <= goalMb))
      failures.push(`RSS grew ${growth.toFixed(1)} MB after the 2-minute mark (goal ≤ ${goalMb} MB)`);
    if (values.probe && existsSync(values.probe)) {
      console.log(`  where the server's memory lives, by minute of its life (from ${values.probe}):`);
      for (const line of probeSummary(values.probe)) console.log(line);
    }
    for (const failure of failures) console.log(`  FAIL ${failure}`);
    const events = reports.reduce((sum, report) => sum + report.events, 0);
    console.log(
      `soak ${failures.length === 0 ? 'ok' : 'FAILED'}: ${runIds.length} runs, ${runIds.length - notSucceeded} succeeded, ${events} events to ${clients.length} clients (each once: ${reports.every((report) => report.problems.length === 0) ? 'yes' : 'no'}), median RSS ${medianAtWarmup.toFixed(1)} → ${medianAtEnd.toFixed(1)} MB (${signed(growth)}, ×${(medianAtEnd / medianAtWarmup).toFixed(3)})`,
    );
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    for (const client of clients) client.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
