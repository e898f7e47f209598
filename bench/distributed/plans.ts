/**
 * The benchmark's plans and what their steps record: every step appends `s <id> <ms> <cwd>` when it
 * starts (and `e …` when it ends), so measurements exclude the CLI's own start-up and name the folder,
 * hence the worker, each step ran in.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../scheduler/prng.js';
import { type BenchSetting, cli, repository } from './processes.js';

/** Each step's dependencies, by index of earlier steps. */
export type Dag = number[][];

/** `count` steps with 0–3 dependencies on earlier ones, from the seed. */
export function randomDag(count: number, seed: number): Dag {
  const random = mulberry32(seed);
  const dag: Dag = [];
  for (let index = 0; index < count; index++) {
    const wanted = index === 0 ? 0 : Math.floor(random() * 4);
    const needs = new Set<number>();
    for (let pick = 0; pick < wanted; pick++) needs.add(Math.floor(random() * index));
    dag.push([...needs]);
  }
  return dag;
}

/** One step after another: exactly one step is ready at a time, so a slot is always free for it. */
export function chainDag(count: number): Dag {
  return Array.from({ length: count }, (_, index) => (index === 0 ? [] : [index - 1]));
}

/** The longest chain, in steps: with equal steps no schedule beats max(chain, steps ÷ slots). */
export function criticalPath(dag: Dag): number {
  const depth: number[] = [];
  for (const needs of dag) depth.push(1 + Math.max(0, ...needs.map((need) => depth[need] ?? 0)));
  return Math.max(0, ...depth);
}

export interface Measured {
  makespanMs: number;
  /** Per step with dependencies: its start minus its last dependency's end. */
  dispatchMs: number[];
  startsPerSecond: number;
  /** Which folder (worker) each step started in, by step id; the last start wins. */
  where: Map<string, string>;
  code: number | null;
}

interface Mark {
  kind: 's' | 'e';
  id: string;
  at: number;
  where: string;
}

/**
 * Steps of one run at once: the plan says it, or the run would keep its default of 4 whatever slots the
 * process (64 here) or its workers have, and the bench would measure that queue, not dispatch.
 */
export const runConcurrency = 64;

function planText(name: string, dag: Dag, sleepSeconds: number, markers: string, markEnd: boolean): string {
  const lines = [`name: ${name}`, `concurrency: ${runConcurrency}`, 'steps:'];
  dag.forEach((needs, index) => {
    const mark = (kind: string) => `echo ${kind} s${index} $(date +%s%3N) $PWD >> ${markers}`;
    const parts = [
      mark('s'),
      ...(sleepSeconds > 0 ? [`sleep ${sleepSeconds}`] : []),
      ...(markEnd ? [mark('e')] : []),
    ];
    const needsText = needs.length > 0 ? `, needs: [${needs.map((need) => `s${need}`).join(', ')}]` : '';
    lines.push(`  - { id: s${index}, agent: shell${needsText}, run: '${parts.join('; ')}' }`);
  });
  return `${lines.join('\n')}\n`;
}

export function readMarks(path: string): Mark[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, id, at, where] = line.split(' ');
      return { kind: kind === 'e' ? 'e' : 's', id: id ?? '', at: Number(at), where: where ?? '' };
    });
}

let runCount = 0;
export function nextRunName(): string {
  return `r${++runCount}`;
}

/** Runs `dag` through the CLI (local, or distributed with `--redis`) and measures it from the marks. */
export async function runPlan(
  setting: BenchSetting,
  dag: Dag,
  options: { sleepSeconds: number; markEnd: boolean; distributed: boolean },
): Promise<Measured> {
  const name = nextRunName();
  const repo = repository(setting.scratch, name);
  const markers = join(setting.scratch, `${name}.marks`);
  const plan = join(setting.scratch, `${name}.yaml`);
  writeFileSync(plan, planText(name, dag, options.sleepSeconds, markers, options.markEnd));
  const home = join(setting.scratch, `${name}-home`);
  mkdirSync(home, { recursive: true });
  const args = [
    'run',
    plan,
    '--yes',
    '--no-review',
    ...(options.distributed ? ['--redis', setting.redisUrl] : []),
  ];
  const code = await cli(setting, args, repo, home).done;
  return measure(dag, readMarks(markers), code);
}

function measure(dag: Dag, marks: Mark[], code: number | null): Measured {
  const starts = new Map(marks.filter((mark) => mark.kind === 's').map((mark) => [mark.id, mark.at]));
  const ends = new Map(marks.filter((mark) => mark.kind === 'e').map((mark) => [mark.id, mark.at]));
  const where = new Map(marks.filter((mark) => mark.kind === 's').map((mark) => [mark.id, mark.where]));
  const startTimes = [...starts.values()].sort((a, b) => a - b);
  const first = startTimes[0] ?? 0;
  const last = Math.max(...(ends.size > 0 ? ends.values() : startTimes));
  const dispatchMs: number[] = [];
  // Started before and still running at `at`: a step ready then with all slots taken waits for a slot,
  // which is scheduling, not dispatch.
  const runningAt = (at: number) =>
    [...starts].filter(([id, start]) => start <= at && (ends.get(id) ?? Number.POSITIVE_INFINITY) > at)
      .length;
  dag.forEach((needs, index) => {
    const start = starts.get(`s${index}`);
    const ready = Math.max(...needs.map((need) => ends.get(`s${need}`) ?? Number.NaN));
    if (needs.length === 0 || start === undefined || !Number.isFinite(ready)) return;
    if (ends.size > 0 && runningAt(ready) >= runConcurrency) return;
    dispatchMs.push(start - ready);
  });
  const span = (startTimes.at(-1) ?? 0) - first;
  return {
    makespanMs: last - first,
    dispatchMs,
    startsPerSecond: span > 0 ? ((startTimes.length - 1) / span) * 1000 : Number.NaN,
    where,
    code,
  };
}
