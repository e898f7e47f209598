/**
 * Reads the Linux process table from /proc. Process identity is (pid, start time, boot id): a pid alone
 * is reused by the kernel, so nothing is ever signalled on the strength of a pid alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat), as text to avoid precision loss. */
  startTime: string;
  /** One-letter state; `Z` is a zombie (dead, not yet reaped). */
  state: string;
}

/** What we persist about a process so a later orchestrator can recognise it. */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
  bootId: string;
}

export function readProcEntry(pid: number): ProcEntry | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readProcTable(): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcEntry(Number(name));
    if (entry) table.set(entry.pid, entry);
  }
  return table;
}

/** The same table, read without blocking the event loop (for scans that run while steps keep going). */
export async function readProcTableAsync(): Promise<Map<number, ProcEntry>> {
  const table = new Map<number, ProcEntry>();
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return table;
  }
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readFile(`/proc/${name}/stat`, 'utf8').then(parseStat, () => undefined)),
  );
  for (const entry of entries) if (entry) table.set(entry.pid, entry);
  return table;
}

export function parseStat(text: string): ProcEntry | undefined {
  // The command name sits in parentheses and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const pid = Number(text.slice(0, open).trim());
  const startTime = fields[19];
  if (!Number.isInteger(pid) || startTime === undefined) return undefined;
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    startTime,
  };
}

let cachedBootId: string | undefined;

export function readBootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown';
    }
  }
  return cachedBootId;
}

export function identify(pid: number): ProcessIdentity | undefined {
  const entry = readProcEntry(pid);
  return entry ? { pid, startTime: entry.startTime, bootId: readBootId() } : undefined;
}

/** True when the very process described by `identity` is still alive (not a zombie, not a reused pid). */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  if (identity.bootId !== readBootId()) return false;
  const entry = readProcEntry(identity.pid);
  return entry !== undefined && entry.state !== 'Z' && entry.startTime === identity.startTime;
}

/** Whether the process's environment at exec carried `tag` (e.g. `AI_COLLAB_PROCESS_TAG=run/step/1`). */
export async function hasEnvironmentEntry(pid: number, entryPrefix: string): Promise<boolean> {
  return readFile(`/proc/${pid}/environ`).then(
    (environ) => environmentHas(environ, entryPrefix),
    () => false,
  );
}

function environmentHas(environ: Buffer, entryPrefix: string): boolean {
  return environ
    .toString('utf8')
    .split('\0')
    .some((entry) => entry.startsWith(entryPrefix));
}

export function compareStartTimes(left: string, right: string): number {
  const a = BigInt(left);
  const b = BigInt(right);
  return a < b ? -1 : a > b ? 1 : 0;
}
