/**
 * Confines a path a model asked for to the step's workspace. Checked on real paths, not on text: absolute
 * paths and `..` escapes are refused outright, and symlinks are followed to wherever they really lead,
 * which must still be inside. Writes are also refused under any `.git` directory.
 */
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errorCode } from '../../support/error-code.js';

export type ResolvedPath = { ok: true; absolute: string; relative: string } | { ok: false; reason: string };

export type PathPurpose = 'read' | 'write';

/** The workspace's own real path; every check compares against it. */
export async function workspaceRoot(workspace: string): Promise<string> {
  return realpath(workspace);
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

export async function resolveWorkspacePath(
  root: string,
  requested: string,
  purpose: PathPurpose,
): Promise<ResolvedPath> {
  if (requested === '') return { ok: false, reason: 'the path is empty' };
  if (requested.includes('\0')) return { ok: false, reason: 'the path contains a NUL byte' };
  if (isAbsolute(requested)) {
    return {
      ok: false,
      reason: `absolute paths are not allowed (${requested}); use a path relative to the workspace, e.g. "src/index.ts"`,
    };
  }
  const lexical = resolve(root, requested);
  if (!isInside(root, lexical)) return { ok: false, reason: `${requested} is outside the workspace` };
  const real = await realPathOf(lexical);
  if (real === undefined) return { ok: false, reason: `${requested} is a symlink that leads nowhere` };
  if (!isInside(root, real)) {
    return { ok: false, reason: `${requested} leads outside the workspace (through a symlink)` };
  }
  const rel = relative(root, real);
  if (purpose === 'write' && rel.split(sep).some((part) => part.toLowerCase() === '.git')) {
    return {
      ok: false,
      reason: `${requested} is inside .git; repository internals are not written by tools`,
    };
  }
  return { ok: true, absolute: real, relative: rel === '' ? '.' : rel };
}

/**
 * The real path of `path`, whose last components may not exist yet: the longest existing prefix is
 * resolved (following symlinks) and the rest appended. Undefined for a dangling symlink, whose target
 * we cannot check.
 */
async function realPathOf(path: string): Promise<string | undefined> {
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (error) {
      if (!isMissing(error)) throw error;
      const parent = dirname(existing);
      if (parent === existing) break;
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
  try {
    return join(await realpath(existing), ...missing);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
