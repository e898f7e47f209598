/**
 * In ACP mode Gemini CLI keeps stderr quiet, but writes its retry announcements to the debug log named by
 * GEMINI_DEBUG_LOG_FILE. This add-on gives each ACP process a private log (0600, in a 0700 directory,
 * removed when the process stops) — or follows the user's own log when they set one — and reports the
 * retries it reads there (see gemini-retries.ts).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../support/clock.js';
import type { AcpProcessAddOn, AcpSideNotice } from '../acp/acp-worker.js';
import { RetryLineReader } from './gemini-retries.js';

const pollMs = 250;
const chunkBytes = 64 * 1024;

export function geminiRetryLogAddOn(
  clock: Clock,
  environment: Readonly<Record<string, string>>,
): AcpProcessAddOn {
  const usersFile = environment.GEMINI_DEBUG_LOG_FILE;
  const { file, directory } =
    usersFile === undefined ? privateLogFile() : { file: usersFile, directory: undefined };
  const own = directory !== undefined;
  // The user's own log may hold earlier runs: only what is written from now on counts.
  let offset = own ? 0 : sizeOf(file);
  let fd: number | undefined;
  let cancelTimer: (() => void) | undefined;
  let stopped = false;

  const poll = (reader: RetryLineReader): void => {
    if (stopped) return;
    try {
      fd ??= openSync(file, 'r');
      const buffer = Buffer.alloc(chunkBytes);
      for (;;) {
        const read = readSync(fd, buffer, 0, chunkBytes, offset);
        if (read <= 0) break;
        offset += read;
        reader.push(buffer.subarray(0, read).toString('utf8'));
      }
    } catch {
      // Not written yet (the CLI opens it lazily), or gone: try again next time.
    }
    cancelTimer = clock.setTimer(pollMs, () => poll(reader));
  };

  return {
    environment: own ? { GEMINI_DEBUG_LOG_FILE: file } : {},
    start(report: (notice: AcpSideNotice) => void) {
      poll(new RetryLineReader(report));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      cancelTimer?.();
      if (fd !== undefined) closeSync(fd);
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A log of our own, in a fresh private directory (removed when the process stops). */
function privateLogFile(): { file: string; directory: string } {
  const directory = mkdtempSync(join(tmpdir(), 'ai-collab-gemini-'));
  return { file: join(directory, 'debug.log'), directory };
}
