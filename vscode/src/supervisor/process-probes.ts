/** What the supervisor asks the OS about a process: is it alive, how much memory does it hold. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resident memory in bytes: /proc/<pid>/status on Linux, `ps` elsewhere; undefined when the process is gone. */
export async function readRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return parseVmRss(status);
  } catch {
    return readRssWithPs(pid);
  }
}

export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

function readRssWithPs(pid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], { timeout: 5_000 }, (error, stdout) => {
      const kilobytes = Number.parseInt(stdout.trim(), 10);
      resolve(error || Number.isNaN(kilobytes) ? undefined : kilobytes * 1024);
    });
  });
}
