/**
 * The client side of ACP's `fs/read_text_file` and `fs/write_text_file`, confined to one session's working
 * directory: a step's agent may read and write its workspace and nothing else, whatever path it names
 * (`..`, absolute paths elsewhere, symlinks that lead out all count as outside).
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type ReadTextFileRequest,
  type ReadTextFileResponse,
  RequestError,
  type WriteTextFileRequest,
} from '@agentclientprotocol/sdk';

/** Reads larger than this are refused: a text file an agent can use is far smaller. */
const maxReadBytes = 32 * 1024 * 1024;

/**
 * The real location `path` names (symlinks of every existing ancestor resolved), or undefined when it is
 * not inside `root`. `path` must be absolute, as ACP requires.
 */
export function pathInside(root: string, path: string): string | undefined {
  if (!isAbsolute(path)) return undefined;
  const realRoot = realExisting(resolve(root));
  const real = realExisting(resolve(path));
  const rel = relative(realRoot, real);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return real;
  return undefined;
}

/** Resolves symlinks along the longest existing prefix of `path`; the missing rest is appended as is. */
function realExisting(path: string): string {
  let existing = path;
  const missing: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(basename(existing));
    existing = parent;
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // A dangling symlink or a vanished directory: keep the path as written.
  }
  return missing.length > 0 ? join(real, ...missing) : real;
}

export class ConfinedFileSystem {
  readonly root: string;
  /** A read-only step's file system: reads as usual, every write refused. */
  readonly readOnly: boolean;
  readonly #written = new Set<string>();

  constructor(root: string, options: { readOnly?: boolean } = {}) {
    this.root = root;
    this.readOnly = options.readOnly ?? false;
  }

  /** Absolute paths written through `write`, in the order first written. */
  written(): string[] {
    return [...this.#written];
  }

  read(params: ReadTextFileRequest): ReadTextFileResponse {
    const path = this.#inside(params.path);
    if (!existsSync(path)) throw RequestError.resourceNotFound(params.path);
    const stats = statSync(path);
    if (!stats.isFile()) throw RequestError.invalidParams(undefined, `${params.path} is not a file`);
    if (stats.size > maxReadBytes) {
      throw RequestError.invalidParams(undefined, `${params.path} is larger than ${maxReadBytes} bytes`);
    }
    const text = readFileSync(path, 'utf8');
    return { content: sliceLines(text, params.line ?? undefined, params.limit ?? undefined) };
  }

  write(params: WriteTextFileRequest): void {
    if (this.readOnly) {
      throw RequestError.invalidRequest(
        undefined,
        `${params.path} was not written: this step is read-only (action read, analyze or validate)`,
      );
    }
    const path = this.#inside(params.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, params.content, 'utf8');
    this.#written.add(resolve(params.path));
  }

  #inside(path: string): string {
    const real = pathInside(this.root, path);
    if (real === undefined) {
      throw RequestError.invalidParams(
        undefined,
        `${path} is outside the session's working directory ${this.root}; only files inside it may be read or written`,
      );
    }
    return real;
  }
}

/** ACP's `line` is 1-based; `limit` counts lines. */
export function sliceLines(text: string, line: number | undefined, limit: number | undefined): string {
  if (line === undefined && limit === undefined) return text;
  const lines = text.split('\n');
  const start = Math.max(0, (line ?? 1) - 1);
  const end = limit === undefined ? lines.length : start + Math.max(0, limit);
  return lines.slice(start, end).join('\n');
}
