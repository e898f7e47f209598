/**
 * `server.json` in the state directory while the server runs: `{url, port, pid, token}`, mode 0600, so the
 * CLI, the VS Code extension and scripts can find and authenticate to it. Written to a fresh temporary
 * file (O_CREAT|O_EXCL, 0600, never following a symlink) and renamed into place; removed on close only if
 * it is still ours.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const serverFileSchema = z.object({ url: z.string(), port: z.number(), pid: z.number(), token: z.string() });

export type ServerFile = z.output<typeof serverFileSchema>;

export function serverFilePath(stateDir: string): string {
  return join(stateDir, 'server.json');
}

export function writeServerFile(stateDir: string, contents: ServerFile): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = serverFilePath(stateDir);
  const temporary = join(stateDir, `.server.json.${randomBytes(6).toString('hex')}.tmp`);
  const descriptor = openSync(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    writeSync(descriptor, `${JSON.stringify(contents, null, 2)}\n`);
  } finally {
    closeSync(descriptor);
  }
  // The umask cannot widen 0600, but a pre-existing file could not have been reused either (O_EXCL).
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

export function readServerFile(stateDir: string): ServerFile | undefined {
  try {
    const parsed = serverFileSchema.safeParse(JSON.parse(readFileSync(serverFilePath(stateDir), 'utf8')));
    // Damaged or of another version: as if no server ran (a new one writes a fresh file).
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it still names this server (another may have started since). */
export function removeServerFile(stateDir: string, token: string): void {
  if (readServerFile(stateDir)?.token !== token) return;
  rmSync(serverFilePath(stateDir), { force: true });
}
