/**
 * The files of one SQLite database (`state.db` and its `-wal` and `-shm`): created private before SQLite
 * opens them, checked for writability before a writer opens them, and copied aside for a reader that cannot
 * use them in place.
 */
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../../support/error-code.js';
import { OrchestratorError } from '../../support/errors.js';

const companions = ['-wal', '-shm'] as const;

/** The database file and the companions that exist beside it. */
function existingFiles(path: string): string[] {
  return [path, ...companions.map((suffix) => `${path}${suffix}`)].filter((file) => existsSync(file));
}

/** Why `path` cannot be written (its error code), or undefined when it can. */
function unwritable(path: string): string | undefined {
  try {
    // access() honours read-only mounts (EROFS) and immutable files (EPERM), even for root.
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return errorCode(error) ?? 'EACCES';
  }
}

/**
 * The first file (or the directory, which must take new `-wal`/`-shm` files) a writer could not write,
 * with the reason. SQLite would otherwise open such a database read-only without saying so, and map a
 * `-shm` it cannot write: reading past its end kills the process with SIGBUS.
 */
function firstUnwritable(path: string): { file: string; code: string } | undefined {
  for (const file of [dirname(path), ...existingFiles(path)]) {
    const code = unwritable(file);
    if (code) return { file, code };
  }
  return undefined;
}

/** A one-line error naming the file that could not be written, why, and what to do about it. */
export function cannotWrite(file: string, databaseFile: string, code: string, cause?: unknown) {
  const full = code === 'ENOSPC' || code === 'SQLITE_FULL';
  const fix = full
    ? `free space on the disk that holds ${dirname(databaseFile)}, then continue with: ai-collab resume`
    : `make ${dirname(databaseFile)} and its files writable, or choose another place with --db PATH (or AI_COLLAB_HOME)`;
  const what = file === databaseFile ? 'it' : file;
  return new OrchestratorError(
    'STORE_FAILED',
    `cannot write the state database ${databaseFile}: ${what} is ${describeCode(code)}; ${fix}`,
    {
      cause,
      details: { file, code },
    },
  );
}

/** A directory of the store could not be made: names the existing folder that refused it. */
export function cannotCreate(directory: string, databaseFile: string, error: unknown): OrchestratorError {
  let refusing = directory;
  while (!existsSync(refusing) && dirname(refusing) !== refusing) refusing = dirname(refusing);
  const code = errorCode(error) ?? 'EACCES';
  return new OrchestratorError(
    'STORE_FAILED',
    `cannot create the state database ${databaseFile}: ${refusing} is ${describeCode(code)}; make it writable, or choose another place with --db PATH (or AI_COLLAB_HOME)`,
    { cause: error, details: { file: refusing, code } },
  );
}

/** The store's own error for a failed write, from SQLite's or the system's error code. */
export function writeFailure(databaseFile: string, error: unknown): OrchestratorError {
  const code = errorCode(error) ?? '';
  if (
    code === 'SQLITE_FULL' ||
    code === 'ENOSPC' ||
    code === 'EROFS' ||
    code === 'EPERM' ||
    code === 'EACCES' ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return cannotWrite(databaseFile, databaseFile, code, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new OrchestratorError(
    'STORE_FAILED',
    `could not write to the state database ${databaseFile} (${reason}); nothing after its last commit was shown or kept: fix the cause, then continue with: ai-collab resume`,
    { cause: error },
  );
}

function describeCode(code: string): string {
  if (code === 'EROFS') return 'on a read-only file system';
  if (code === 'EPERM') return 'not writable (immutable or not permitted)';
  if (code === 'EACCES') return 'not writable (permission denied)';
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return 'full (no space left on the disk)';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only';
  return `not writable (${code})`;
}

/**
 * Readies the files for a writer: the directory 0700, the database created 0600 before SQLite opens it, so
 * the `-wal` and `-shm` SQLite creates take the same mode (it copies the database file's permissions onto
 * them) and no file of the store is ever readable by others, not even for a moment.
 */
export function prepareWritableFiles(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cannotCreate(dirname(path), path, error);
  }
  const blocked = firstUnwritable(path);
  if (blocked) throw cannotWrite(blocked.file, path, blocked.code);
  if (!existsSync(path)) {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  }
  for (const file of existingFiles(path)) tighten(file);
}

/** Files written by an older version (0644) are narrowed; a file we do not own stays as its owner set it. */
function tighten(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch {
    // Not ours to change (another user's shared database); SQLite still uses it as it is.
  }
}

/** Where a reader opens the database: in place, or a private copy when the files cannot be used there. */
export interface ReadableDatabase {
  path: string;
  /** The copy is the reader's own: it may migrate it, and must remove it when done. */
  copied: boolean;
  dispose(): void;
}

/**
 * A reader in WAL mode still writes the `-shm` index (and creates it when missing), which a read-only mount
 * or an immutable file refuses, and an unwritable `-shm` can crash the process (SIGBUS). Such a database is
 * read from a private copy of its files instead, so every committed event (the `-wal` too) is seen.
 * Undefined when there is no database: nothing is created.
 */
export function readableDatabase(path: string): ReadableDatabase | undefined {
  if (!existsSync(path)) return undefined;
  if (!firstUnwritable(path)) return { path, copied: false, dispose: () => {} };
  const directory = mkdtempSync(join(tmpdir(), 'ai-collab-readonly-'));
  const copy = join(directory, basename(path));
  for (const suffix of ['', '-wal']) {
    if (existsSync(`${path}${suffix}`)) {
      copyFileSync(`${path}${suffix}`, `${copy}${suffix}`);
      chmodSync(`${copy}${suffix}`, 0o600);
    }
  }
  return { path: copy, copied: true, dispose: () => rmSync(directory, { recursive: true, force: true }) };
}
