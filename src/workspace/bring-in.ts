/**
 * A worktree has only tracked files. What a step needs besides them (secrets in `.env`, installed
 * dependencies) is brought in from the user's checkout: small files copied, big directories linked.
 * Whatever is brought in is never committed.
 */
import { cpSync, existsSync, lstatSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BringInSettings {
  /** Patterns (relative to the repository root, `*` within one path segment) of entries copied in. */
  copy: readonly string[];
  /** Patterns of entries linked in (a symbolic link to the user's copy). */
  link: readonly string[];
}

/** `.env*` copied, `node_modules` linked: enough for `npm test` inside a worktree. */
export const defaultBringIn: BringInSettings = { copy: ['.env*'], link: ['node_modules'] };

/** Never brought in, whatever the patterns say. */
const neverNames: ReadonlySet<string> = new Set(['.git', '.ai-collab']);

/** Paths (relative to the roots) matching `pattern` in `root`. Segments are matched one directory at a time. */
export function matchEntries(root: string, pattern: string): string[] {
  const segments = pattern.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return [];
  let found: string[] = [''];
  for (const segment of segments) {
    const matcher = segmentMatcher(segment);
    const next: string[] = [];
    for (const base of found) {
      for (const name of listDirectory(join(root, base))) {
        if (!neverNames.has(name) && matcher(name)) next.push(base === '' ? name : `${base}/${name}`);
      }
    }
    found = next;
  }
  return found.filter((path) => path !== '');
}

/**
 * Brings entries into `worktree` that exist in `source` but not in the worktree (tracked files are never
 * replaced). Returns what was brought in, relative to the root, for the commit to leave out.
 */
export function bringIn(source: string, worktree: string, settings: BringInSettings): string[] {
  const brought: string[] = [];
  const place = (path: string, how: 'copy' | 'link'): void => {
    const target = join(worktree, path);
    if (brought.includes(path) || exists(target)) return;
    if (!existsSync(dirname(target))) return;
    if (how === 'copy') cpSync(join(source, path), target, { recursive: true, preserveTimestamps: true });
    else symlinkSync(join(source, path), target);
    brought.push(path);
  };
  for (const pattern of settings.copy) for (const path of matchEntries(source, pattern)) place(path, 'copy');
  for (const pattern of settings.link) for (const path of matchEntries(source, pattern)) place(path, 'link');
  return brought;
}

/** Removes what was brought in (links are unlinked; their targets, the user's files, are never followed). */
export function removeBroughtIn(worktree: string, paths: readonly string[]): void {
  for (const path of paths) {
    const target = join(worktree, path);
    if (!exists(target)) continue;
    if (lstatSync(target).isSymbolicLink()) rmSync(target);
    else rmSync(target, { recursive: true, force: true });
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function segmentMatcher(segment: string): (name: string) => boolean {
  if (!segment.includes('*') && !segment.includes('?')) return (name) => name === segment;
  const source = segment
    .split('')
    .map((char) =>
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const expression = new RegExp(`^${source}$`);
  // `*` does not match a leading dot unless the pattern starts with one, as in a shell.
  return (name) => expression.test(name) && (segment.startsWith('.') || !name.startsWith('.'));
}
