/**
 * Plan validation's early warning of merge conflicts: two code-changing steps whose declared `target`s
 * overlap (the same path, or one a directory holding the other) and that may run at the same time,
 * because neither depends on the other, even indirectly. Pure; warnings, never errors.
 */
import type { StepDefinition } from '../protocol/plan-types.js';
import { ownIsolation } from './isolation-policy.js';

export interface TargetOverlapWarning {
  /** Step ids, in plan order. */
  steps: [string, string];
  /** The declared targets that overlap. */
  targets: [string, string];
  message: string;
}

export interface TargetOverlapReport {
  warnings: TargetOverlapWarning[];
  /** Overlaps found but not listed (over `maxWarnings`), or not checked (over `maxSteps`). */
  omitted: number;
}

/** A target list: `src/a.ts, src/b.ts` (commas, semicolons or lines), each normalised as a path. */
export function targetPaths(target: string | undefined): string[] {
  if (target === undefined) return [];
  const paths = target
    .split(/[,;\n]/)
    .map((part) => normalizeTarget(part))
    .filter((path): path is string => path !== undefined);
  return [...new Set(paths)];
}

/** `./src//db/` → `src/db`; a glob becomes the directory before its first wildcard ('' for the root). */
export function normalizeTarget(raw: string): string | undefined {
  let path = raw.trim().replace(/\\/g, '/');
  if (path === '') return undefined;
  const wildcard = path.search(/[*?]/);
  if (wildcard !== -1) path = path.slice(0, path.lastIndexOf('/', wildcard) + 1);
  path = path
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  return path === '.' ? '' : path;
}

export function findTargetOverlaps(
  steps: readonly StepDefinition[],
  options: { maxWarnings?: number; maxSteps?: number } = {},
): TargetOverlapReport {
  const maxWarnings = options.maxWarnings ?? 50;
  const maxSteps = options.maxSteps ?? 2_000;
  const order = new Map(steps.map((step, index) => [step.id, index]));
  const changing = steps.filter(
    (step) => ownIsolation(step) === 'worktree' && targetPaths(step.target).length > 0,
  );
  const pairs = candidatePairs(changing);
  const involved = [...new Set(pairs.flatMap((pair) => [pair.first.id, pair.second.id]))];
  if (involved.length > maxSteps) return { warnings: [], omitted: pairs.length };
  const ancestors = ancestorSets(steps, involved);
  const warnings: TargetOverlapWarning[] = [];
  let omitted = 0;
  for (const { first, second, targets } of pairs) {
    const ordered =
      (order.get(first.id) ?? 0) <= (order.get(second.id) ?? 0) ? [first, second] : [second, first];
    const [a, b] = ordered as [StepDefinition, StepDefinition];
    if (ancestors.get(a.id)?.has(b.id) || ancestors.get(b.id)?.has(a.id)) continue;
    if (warnings.length >= maxWarnings) {
      omitted++;
      continue;
    }
    const [ta, tb] = a === first ? targets : [targets[1], targets[0]];
    const where = ta === tb ? `"${ta}"` : `"${ta}" and "${tb}"`;
    warnings.push({
      steps: [a.id, b.id],
      targets: [ta, tb],
      message: `steps ${a.label} and ${b.label} may run at the same time and both change ${where}; their changes may conflict when merged. If ${b.label} builds on ${a.label}, add ${JSON.stringify(a.label)} to its needs.`,
    });
  }
  return { warnings, omitted };
}

interface Candidate {
  first: StepDefinition;
  second: StepDefinition;
  targets: [string, string];
}

/** Pairs whose targets are equal or nested, found through an index of targets and their parent directories. */
function candidatePairs(steps: readonly StepDefinition[]): Candidate[] {
  const index = new Map<string, Array<{ step: StepDefinition; path: string }>>();
  for (const step of steps) {
    for (const path of targetPaths(step.target)) {
      const entries = index.get(path) ?? [];
      entries.push({ step, path });
      index.set(path, entries);
    }
  }
  const seen = new Set<string>();
  const pairs: Candidate[] = [];
  for (const step of steps) {
    for (const path of targetPaths(step.target)) {
      for (const container of [...parentsOf(path), path]) {
        for (const other of index.get(container) ?? []) {
          if (other.step.id === step.id) continue;
          const key = JSON.stringify([step.id, other.step.id].sort());
          if (seen.has(key)) continue;
          seen.add(key);
          pairs.push({ first: other.step, second: step, targets: [other.path, path] });
        }
      }
    }
  }
  return pairs;
}

/** '' (the root), then each directory above `path`. */
function parentsOf(path: string): string[] {
  if (path === '') return [];
  const parts = path.split('/');
  return ['', ...parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join('/'))];
}

/** Every step each of `ids` depends on, directly or not (a walk over `needs`). */
function ancestorSets(steps: readonly StepDefinition[], ids: readonly string[]): Map<string, Set<string>> {
  const needs = new Map(steps.map((step) => [step.id, step.needs]));
  const sets = new Map<string, Set<string>>();
  for (const id of ids) {
    const seen = new Set<string>();
    const stack = [...(needs.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(needs.get(next) ?? []));
    }
    sets.set(id, seen);
  }
  return sets;
}
