/**
 * `npm run bench:swarm`: the seed's unthrottled review swarm against this one, on step reviews over real
 * HTTP against the scripted model server enforcing a provider limit (429 + retry-after beyond it), then on
 * simulated reviewer populations of known accuracy. Prints 429s received, the request rate achieved while
 * work was queued, calls per review with early stopping against the full swarm, and how often the early
 * verdict equals the full swarm's. Options (after `--`): --reviews N, --rpm N, --burst N, --scale N,
 * --latency MS (simulated), --accuracy P, --samples N, --seed N.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fixed, renderTable } from '../scheduler/format-table.js';
import { changesFor, type HttpRun, runOurs, runSeed } from './http-part.js';
import { type PopulationRow, simulatePopulations } from './population-part.js';
import { stoppingBound } from './stopping-bound.js';

const { values } = parseArgs({
  // `npm run bench:swarm -- --reviews 10` passes the options; a bare `--` from a direct run is dropped.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    reviews: { type: 'string', default: '20' },
    rpm: { type: 'string', default: '60' },
    burst: { type: 'string', default: '10' },
    scale: { type: 'string', default: '20' },
    latency: { type: 'string', default: '500' },
    accuracy: { type: 'string', default: '0.9' },
    samples: { type: 'string', default: '4000' },
    seed: { type: 'string', default: '20261127' },
  },
});
const options = {
  reviews: Number(values.reviews),
  requestsPerMinute: Number(values.rpm),
  burst: Number(values.burst),
  scale: Number(values.scale),
  latencyMs: Number(values.latency),
  accuracy: Number(values.accuracy),
  goodShare: 0.7,
  seed: Number(values.seed),
};
const samples = Number(values.samples);

console.log(`bench:swarm — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
console.log('');
console.log(
  `Part 1: ${options.reviews} step reviews over HTTP, scripted model server limiting ${options.requestsPerMinute} requests/min (burst ${options.burst}), 429 + retry-after beyond it.`,
);
console.log(
  `  Time runs ${options.scale}× faster (limiter, reviewers and server share the clock); model latency ${options.latencyMs} ms; reviewers right ${options.accuracy * 100} % of the time; ${options.goodShare * 100} % of the changes right; seed ${options.seed}.`,
);
console.log('');

const changes = changesFor(options);
const started = Date.now();
const seed = await runSeed(options, changes);
const full = await runOurs(options, changes, false);
const early = await runOurs(options, changes, true);
const httpSeconds = (Date.now() - started) / 1_000;

const runRow = (run: HttpRun) => [
  run.name,
  run.requests,
  run.rateLimited,
  fixed(run.minutes, 2),
  run.queuedRate === undefined ? '—' : fixed(run.queuedRate, 2),
  fixed(run.callsPerReview, 1),
  `${run.correct}/${options.reviews}`,
  run.wrongApproved,
  run.failed,
  run.failedOpen,
];
for (const line of renderTable(
  [
    'run',
    'requests',
    '429s',
    'minutes',
    'rate÷limit',
    'calls/review',
    'right verdicts',
    'wrong approved',
    'failed',
    'failed open',
  ],
  [seed, full, early].map(runRow),
))
  console.log(line);
console.log(
  `  (${httpSeconds.toFixed(1)} s of wall time; "rate÷limit": requests let through per minute while calls were queued at the limiter, ÷ ${options.requestsPerMinute}; "failed open": seed reviewers whose calls failed and counted as approvals)`,
);
console.log('');
const callShareHttp = early.callsPerReview / full.callsPerReview;
console.log('  Against the seed:');
console.log(
  `    429s: ${early.rateLimited} vs ${seed.rateLimited}; wrong changes approved: ${early.wrongApproved} vs ${seed.wrongApproved}; right verdicts: ${early.correct} vs ${seed.correct} of ${options.reviews}`,
);
console.log(
  `    calls per review: ${fixed(early.callsPerReview, 1)} vs ${fixed(seed.callsPerReview, 1)} attempted by the seed (${fixed((100 * early.callsPerReview) / seed.callsPerReview, 0)} %); early stopping vs our full swarm: ${fixed(100 * callShareHttp, 0)} %`,
);
console.log('');

const margins = [undefined, 3, 2];
console.log(
  `Part 2: simulated reviewer populations, ${samples.toLocaleString('en-US')} changes per accuracy (half right), swarm 6, threshold 0.6, at most 3 abstentions; the real swarm runner decides each.`,
);
console.log('');
const rows = await simulatePopulations({
  accuracies: [0.7, 0.8, 0.9, 0.95],
  samples,
  goodShare: 0.5,
  abstainShare: 0,
  margins,
  seed: options.seed,
  learned: true,
});
const ruleName = (row: PopulationRow) =>
  row.learned
    ? 'settled + 99 % sure (learned)'
    : row.margin === undefined
      ? 'settled (default)'
      : `settled + margin ${row.margin}`;
const tableRows = rows.flatMap((row: PopulationRow, index) => {
  const cells = [
    `${Math.round(row.accuracy * 100)} %`,
    ruleName(row),
    `${fixed(100 * row.agreement, 2)} %`,
    `${fixed(100 * row.callShare, 1)} %`,
    `${fixed(100 * row.earlyCorrect, 1)} %`,
    `${fixed(100 * row.fullCorrect, 1)} %`,
  ];
  if (rows[index + 1]?.accuracy === row.accuracy) return [cells];
  const bound = stoppingBound(row.accuracy);
  return [
    cells,
    [
      '',
      'bound: knows the accuracy',
      `${fixed(100 * bound.agreement, 2)} %`,
      `${fixed(100 * bound.callShare, 1)} %`,
      '',
      '',
    ],
  ];
});
for (const line of renderTable(
  ['accuracy', 'stop rule', 'early = full', 'calls vs full', 'right (early)', 'right (full)'],
  tableRows,
))
  console.log(line);
console.log(
  '  (bound: a yardstick computed exactly for votes of equal weight: the rule that is told the true accuracy and stops once it is 99 % sure of the full-swarm verdict)',
);
console.log('');

const settledRows = rows.filter((row) => row.margin === undefined && !row.learned);
const learnedRows = rows.filter((row) => row.learned);
const learnedRatios = learnedRows.map((row) => ({
  accuracy: row.accuracy,
  ratio: row.callShare / stoppingBound(row.accuracy).callShare,
}));
const worstLearnedRatio = Math.max(...learnedRatios.map((entry) => entry.ratio));
const learnedAgreement = Math.min(...learnedRows.map((row) => row.agreement));
const learnedDetail = learnedRows
  .map(
    (row) =>
      `${Math.round(row.accuracy * 100)} %: ${fixed(100 * row.callShare, 0)} % vs ${fixed(100 * stoppingBound(row.accuracy).callShare, 0)} %`,
  )
  .join(', ');
const minAgreement = Math.min(...settledRows.map((row) => row.agreement));
const meanCallShare = settledRows.reduce((sum, row) => sum + row.callShare, 0) / settledRows.length;
const margin3 = rows.filter((row) => row.margin === 3);
const margin3Agreement = Math.min(...margin3.map((row) => row.agreement));
const boundShares = [0.7, 0.8, 0.9, 0.95]
  .map((accuracy) => `${fixed(100 * stoppingBound(accuracy).callShare, 0)} %`)
  .join(' / ');
const goals = [
  {
    ok: early.rateLimited === 0 && full.rateLimited === 0,
    text: `429s received: ${early.rateLimited} early stop, ${full.rateLimited} full swarm (seed: ${seed.rateLimited}) (goal 0)`,
  },
  {
    ok: (early.queuedRate ?? 0) >= 0.9 && (full.queuedRate ?? 0) >= 0.9,
    text: `request rate while work was queued: ${fixed(full.queuedRate, 2)} (full swarm), ${fixed(early.queuedRate, 2)} (early stop) × the limit (goal ≥ 0.9)`,
  },
  {
    ok: callShareHttp <= 0.5,
    text: `calls per review with early stopping: ${fixed(early.callsPerReview, 1)} vs ${fixed(full.callsPerReview, 1)} for the full swarm = ${fixed(100 * callShareHttp, 0)} % (simulated populations: ${fixed(100 * meanCallShare, 0)} % on average; the 99 %-sure bound is ${boundShares} at 70/80/90/95 % accuracy) (goal ≤ 50 %)`,
  },
  {
    ok: minAgreement >= 0.99,
    text: `early verdict = full-swarm verdict: ${fixed(100 * minAgreement, 2)} % at worst over 70–95 % accuracy (default rule; with margin 3: ${fixed(100 * margin3Agreement, 2)} %) (goal ≥ 99 %)`,
  },
  {
    ok: worstLearnedRatio <= 1.15 && learnedAgreement >= 0.99,
    text: `learned reliability, calls per review vs the yardstick: ${learnedDetail} (worst ${fixed(worstLearnedRatio, 2)}×; goal ≤ 1.15× at every accuracy); early = full ${fixed(100 * learnedAgreement, 2)} % at worst (goal ≥ 99 %)`,
  },
];
console.log('Goals');
for (const goal of goals) console.log(`  ${goal.ok ? '✓' : '✗'} ${goal.text}`);
console.log('');
console.log(
  `bench:swarm: 429s ${early.rateLimited} (seed ${seed.rateLimited}) · rate ${fixed(early.queuedRate, 2)}× limit · early-stop calls ${fixed(100 * callShareHttp, 0)} % of the full swarm · early = full ${fixed(100 * minAgreement, 2)} % · goals met ${goals.filter((goal) => goal.ok).length}/${goals.length}`,
);
