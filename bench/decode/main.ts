/**
 * `npm run bench:decode -- [--steps N] [--rounds N] [--baseline DIR]`: what decoding a run's
 * log costs. Builds a log of a finished run (run.created with an N-step plan, then per step step.started,
 * step.process-started and step.succeeded with usage: 3N + 3 events) in a SqliteStore on a temp file, then
 * times, median of `--rounds`, (1) decoding the stored events already read, (2) the whole read a `status`
 * does (rows, JSON, decode, replay). With `--baseline DIR` (another checkout), its decoder runs alternately
 * in the same process, so both see the same machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EventDecoder, replayLog, type StoredEventLike } from '../../src/engine/decode-events.js';
import type { RunEventBody } from '../../src/engine/events.js';
import type { StepDefinition } from '../../src/protocol/plan-types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';

interface Decoder {
  decodeOne(event: StoredEventLike, runId: string): unknown;
}
type Replay = (events: Iterable<never>) => unknown;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '33333' },
    rounds: { type: 'string', default: '5' },
    baseline: { type: 'string' },
  },
});
const stepCount = Number(values.steps);
const rounds = Number(values.rounds);

function logOf(runId: string): RunEventBody[] {
  const steps: StepDefinition[] = Array.from({ length: stepCount }, (_, index) => ({
    id: `s${index}`,
    label: `s${index}`,
    agent: 'noop',
    prompt: `step ${index}`,
    needs: index === 0 ? [] : [`s${index - 1}`],
    retries: 0,
    backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
  }));
  const owner = { pid: 1, startTime: '1', bootId: 'b', host: 'h' };
  const body: RunEventBody[] = [
    {
      type: 'run.created',
      data: {
        plan: { name: runId, format: 'native', steps },
        workspace: '/w',
        planFile: null,
        concurrency: 8,
        failFast: false,
      },
    },
    { type: 'run.started', data: { owner, resumed: false } },
  ];
  for (const { id: stepId } of steps) {
    body.push({ type: 'step.started', data: { stepId, attempt: 1, agent: 'noop' } });
    body.push({
      type: 'step.process-started',
      data: {
        stepId,
        attempt: 1,
        process: { pid: 2, pgid: 2, startTime: '9', bootId: 'b' },
        logFile: `/l/${stepId}.log`,
      },
    });
    body.push({
      type: 'step.succeeded',
      data: {
        stepId,
        attempt: 1,
        durationMs: 12,
        output: 'ok',
        usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.001, model: 'm', costSource: 'reported' },
      },
    });
  }
  body.push({ type: 'run.finished', data: { status: 'succeeded' } });
  return body;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'ai-collab-decode-'));
  const store = new SqliteStore({ path: join(directory, 'state.db'), clock: systemClock });
  try {
    const runId = 'r-bench';
    const events = logOf(runId).map((event, index) => ({ ...event, runId, seq: index + 1, at: index }));
    store.createRun(
      {
        runId,
        name: runId,
        workspace: '/w',
        planFile: null,
        status: 'pending',
        stepCount,
        createdAt: 0,
        finishedAt: null,
        owner: null,
      },
      events,
    );
    await store.flush();
    const read = [...store.readEvents(runId)];
    const variants: Array<{ name: string; decoder: () => Decoder; replay: Replay }> = [
      { name: 'this checkout', decoder: () => new EventDecoder(silentLogger), replay: replayLog as Replay },
    ];
    if (values.baseline) {
      const base = pathToFileURL(join(resolve(values.baseline), 'src/engine/decode-events.ts')).href;
      const module: { EventDecoder: new (logger: typeof silentLogger) => Decoder; replayLog: Replay } =
        await import(base);
      variants.push({
        name: `baseline ${values.baseline}`,
        decoder: () => new module.EventDecoder(silentLogger),
        replay: module.replayLog,
      });
    }
    const decodeMs = new Map<string, number[]>();
    const loadMs = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        const decoder = variant.decoder();
        let started = performance.now();
        for (const event of read) decoder.decodeOne(event, runId);
        decodeMs.set(variant.name, [...(decodeMs.get(variant.name) ?? []), performance.now() - started]);
        started = performance.now();
        const fresh = variant.decoder();
        const iterable = (function* () {
          for (const event of store.readEvents(runId)) yield fresh.decodeOne(event, runId) as never;
        })();
        variant.replay(iterable);
        loadMs.set(variant.name, [...(loadMs.get(variant.name) ?? []), performance.now() - started]);
      }
    }
    console.log(
      `${read.length} stored events (${stepCount}-step plan), ${rounds} rounds, alternating; node ${process.version}`,
    );
    for (const variant of variants) {
      const decode = decodeMs.get(variant.name) ?? [];
      const load = loadMs.get(variant.name) ?? [];
      console.log(
        `${variant.name}: decode median ${median(decode).toFixed(1)} ms [${decode.map((ms) => ms.toFixed(0)).join(' ')}]; read+decode+replay median ${median(load).toFixed(1)} ms [${load.map((ms) => ms.toFixed(0)).join(' ')}]; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      );
    }
  } finally {
    store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
