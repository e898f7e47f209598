/**
 * Reading a step's log (its transcript) in line-aligned ranges. The path comes from the run's log, but is
 * still confined to the run's log directory, symlinks resolved, before a byte is read.
 */
import { access, open, realpath } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { HttpError } from './http-io.js';

export interface OutputRange {
  /** Byte offset of the first byte returned. */
  offset: number;
  /** Where the next read should start (after the last whole line returned). */
  nextOffset: number;
  /** Size of the log file now. */
  size: number;
  text: string;
}

export const maxOutputBytes = 256 * 1024;

export async function readStepOutput(
  stateDir: string,
  runId: string,
  logFile: string,
  range: { offset?: number; length: number },
): Promise<OutputRange> {
  const logsDir = join(stateDir, 'runs', runId, 'logs');
  let resolvedDir: string;
  let resolvedFile: string;
  try {
    resolvedDir = await realpath(logsDir);
    resolvedFile = await realpath(logFile);
  } catch {
    // A step's log is created with its first output: an attempt that started and printed nothing has none.
    if (await startedWithoutOutput(logsDir, logFile)) return { offset: 0, nextOffset: 0, size: 0, text: '' };
    throw new HttpError(404, 'OUTPUT_NOT_FOUND', 'this attempt has no log yet');
  }
  if (!resolvedFile.startsWith(resolvedDir + sep)) {
    throw new HttpError(403, 'OUTPUT_OUTSIDE_LOGS', "the step's log is not in the run's log directory");
  }
  const handle = await open(resolvedFile, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(range.length, maxOutputBytes);
    // Without an offset, the tail: the last `length` bytes, from the first whole line.
    const start = range.offset ?? Math.max(0, size - length);
    const end = Math.min(size, start + length);
    const buffer = Buffer.alloc(Math.max(0, end - start));
    if (buffer.length > 0) await handle.read(buffer, 0, buffer.length, start);
    let from = 0;
    if (range.offset === undefined && start > 0) {
      const newline = buffer.indexOf(10);
      from = newline >= 0 ? newline + 1 : 0;
    }
    // Cut after the last newline unless this is the end of the file, so no line (or secret) is split.
    let to = buffer.length;
    if (end < size) {
      const newline = buffer.lastIndexOf(10);
      if (newline >= from) to = newline + 1;
    }
    return {
      offset: start + from,
      nextOffset: start + to,
      size,
      text: buffer.subarray(from, to).toString('utf8'),
    };
  } finally {
    await handle.close();
  }
}

/**
 * True when `logFile` names a file right in the run's log directory (which itself appears with the run's
 * first output) and that file does not exist.
 */
async function startedWithoutOutput(logsDir: string, logFile: string): Promise<boolean> {
  const directory = dirname(resolve(logFile));
  const inLogs =
    directory === resolve(logsDir) ||
    (await Promise.all([realpath(directory), realpath(logsDir)]).then(
      ([file, logs]) => file === logs,
      () => false,
    ));
  if (!inLogs) return false;
  return access(logFile).then(
    () => false,
    (error: unknown) => error instanceof Error && 'code' in error && error.code === 'ENOENT',
  );
}
