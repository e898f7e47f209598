/** The code of something thrown: a system error's (`ENOENT`, `EACCES` …) or SQLite's (`SQLITE_FULL` …). */
import { isRecord } from './json-record.js';

/** Undefined when what was thrown carries no text code. */
export function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
}
