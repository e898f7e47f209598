/** Resident memory of a whole process tree (the process and every descendant), from /proc. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePids } from './cgroup.js';
import { readProcTable } from './proc-table.js';

const pageBytes = 4096;

/** A contained tree is its cgroup's members; otherwise the root's descendants in the process table. */
export function treeRssBytes(root: { pid: number; cgroup?: string }): number {
  const members = root.cgroup ? cgroupMembers(root.cgroup) : descendants(root.pid);
  let total = 0;
  for (const pid of members) total += rssBytes(pid);
  return total;
}

function cgroupMembers(cgroup: string): number[] {
  try {
    return parsePids(readFileSync(join(cgroup, 'cgroup.procs'), 'utf8'));
  } catch {
    return [];
  }
}

function descendants(rootPid: number): number[] {
  const table = readProcTable();
  const children = new Map<number, number[]>();
  for (const entry of table.values()) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry.pid);
    else children.set(entry.ppid, [entry.pid]);
  }
  const queue = table.has(rootPid) ? [rootPid] : [];
  for (let head = 0; head < queue.length; head++) queue.push(...(children.get(queue[head] as number) ?? []));
  return queue;
}

function rssBytes(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(fields[1] ?? 0) * pageBytes;
  } catch {
    return 0;
  }
}
