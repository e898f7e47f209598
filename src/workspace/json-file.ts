/** Small JSON records next to the worktrees: written whole (temp file + rename), so a crash leaves old or new. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export function writeJsonAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}
