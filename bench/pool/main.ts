/**
 * `npm run bench:pool`: what a warm, pooled Claude Code process saves per step against the seed's
 * spawn-per-prompt, with the real `claude` CLI answering a scripted model on loopback at a fixed latency.
 *
 * For each step we measure dispatch overhead = first model request for that step − the moment the step was
 * ready (the seed: its spawn; the pool: `step.started` in the engine's log), plus the total time of 20 steps at
 * concurrency 4 and the peak resident memory of all agent processes. Options (after `--`): --steps N,
 * --concurrency N, --latency MS.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { agentCliMissing } from '../../test/support/agent-cli-env.js';
import { startModelServer, text } from '../../test/support/model-server/index.js';
import { type PhaseResult, percentile } from './measure.js';
import { runPooled } from './run-pooled.js';
import { runSpawnPerStep } from './run-spawn-per-step.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    latency: { type: 'string', default: '200' },
  },
});
const steps = Number(values.steps);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values.latency);

const missing = agentCliMissing('claude');
if (missing) {
  console.error(`bench:pool needs the real claude CLI: ${missing}`);
  process.exit(1);
}

const server = await startModelServer({ script: () => text('done'), latencyMs });
console.log(`bench:pool — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
console.log(
  `real claude CLI, scripted model at ${latencyMs} ms latency, ${steps} steps at concurrency ${concurrency}`,
);
console.log('');

const seed = await runSpawnPerStep({ server, steps, concurrency });
const pooled = await runPooled({ server, steps, concurrency });
const bare = await runPooled({ server, steps, concurrency, args: ['--bare'], phase: 'bare' });
await server.close();

function row(name: string, result: PhaseResult): string {
  const dispatch = result.dispatchMs;
  return [
    name.padEnd(26),
    `${percentile(dispatch, 0.5).toFixed(0).padStart(6)} ms`,
    `${percentile(dispatch, 0.95).toFixed(0).padStart(6)} ms`,
    `${(result.totalMs / 1000).toFixed(2).padStart(7)} s`,
    `${String(result.processesStarted).padStart(9)}`,
    `${result.peakRssMb.toFixed(0).padStart(8)} MB`,
  ].join('  ');
}

console.log(`${'runner'.padEnd(26)}  dispatch p50  dispatch p95  total time  processes  peak RSS`);
console.log(row('spawn per step (seed)', seed));
console.log(row('warm pool', pooled));
console.log(row('warm pool, claude --bare', bare));
const steady = pooled.dispatchMs.filter((_, index) => !pooled.firstTurnOfProcess[index]);
console.log(
  `${'  warm pool, reused only'.padEnd(26)}  ${percentile(steady, 0.5).toFixed(0).padStart(6)} ms  ${percentile(steady, 0.95).toFixed(0).padStart(6)} ms  (steps on a process that had already served one)`,
);
console.log('');

const seedOverhead = percentile(seed.dispatchMs, 0.5);
const poolOverhead = percentile(pooled.dispatchMs, 0.5);
const ratio = seedOverhead / Math.max(1, poolOverhead);
const p95 = percentile(pooled.dispatchMs, 0.95);
const goals = [
  { ok: p95 <= 50, text: `warm dispatch p95 ${p95.toFixed(0)} ms (goal ≤ 50)` },
  { ok: ratio >= 5, text: `${ratio.toFixed(1)}× less per-step overhead than spawn-per-step (goal ≥ 5×)` },
  {
    ok: pooled.processesStarted <= concurrency,
    text: `${pooled.processesStarted} processes for ${steps} steps (bounded by the pool, ${concurrency})`,
  },
];
console.log(
  `bench:pool: ${goals.map((goal) => goal.text).join('; ')}; with --bare p95 ${percentile(bare.dispatchMs, 0.95).toFixed(0)} ms; total ${(seed.totalMs / 1000).toFixed(1)} s → ${(pooled.totalMs / 1000).toFixed(1)} s; peak RSS ${seed.peakRssMb.toFixed(0)} → ${pooled.peakRssMb.toFixed(0)} MB — ${goals.every((goal) => goal.ok) ? 'PASS' : 'FAIL'}`,
);
process.exitCode = goals.every((goal) => goal.ok) ? 0 : 1;
