/** Resident memory of a whole process tree (the process and every descendant), from /proc. */
import { readFileSync } from 'node:fs';
import { readProcTable } from './proc-table.js';

const pageBytes = 4096;

export function treeRssBytes(rootPid: number): number {
  const table = readProcTable();
  const children = new Map<number, number[]>();
  for (const entry of table.values()) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry.pid);
    else children.set(entry.ppid, [entry.pid]);
  }
  let total = 0;
  const queue = table.has(rootPid) ? [rootPid] : [];
  for (let head = 0; head < queue.length; head++) {
    const pid = queue[head] as number;
    total += rssBytes(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

function rssBytes(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(fields[1] ?? 0) * pageBytes;
  } catch {
    return 0;
  }
}
