/**
 * Stops a step's whole process tree: its process group, every descendant (also those that started a
 * session of their own), and every process that still carries the step's environment tag after its
 * parent died. SIGTERM first, SIGKILL after the grace period.
 */
import type { Clock } from '../../support/clock.js';
import {
  compareStartTimes,
  hasEnvironmentEntry,
  type ProcEntry,
  type ProcessIdentity,
  readBootId,
  readProcTable,
} from './proc-table.js';

export interface TreeRoot extends ProcessIdentity {
  /** Process group the root leads (spawned with its own group). */
  pgid: number;
  /** Environment entry prefix every process of the tree inherits, e.g. `AI_COLLAB_PROCESS_TAG=r1/build/1`. */
  tag?: string;
}

export interface KillTreeOptions {
  clock: Clock;
  graceMs: number;
  /** How often to look whether the tree is gone. */
  pollMs?: number;
}

export interface KillTreeReport {
  /** Processes that got SIGTERM. */
  terminated: number;
  /** Processes still alive after the grace period, which got SIGKILL. */
  killed: number;
}

const forceRounds = 5;

export async function killProcessTree(root: TreeRoot, options: KillTreeOptions): Promise<KillTreeReport> {
  if (root.bootId !== readBootId()) return { terminated: 0, killed: 0 };
  const pollMs = options.pollMs ?? 25;
  const first = findTreeMembers(root);
  signalAll(first, 'SIGTERM', root);
  const deadline = options.clock.now() + options.graceMs;
  while (options.clock.now() < deadline && findTreeMembers(root).size > 0) {
    await options.clock.sleep(Math.min(pollMs, Math.max(1, deadline - options.clock.now())));
  }
  let killed = 0;
  for (let round = 0; round < forceRounds; round++) {
    const survivors = findTreeMembers(root);
    if (survivors.size === 0) break;
    killed += survivors.size;
    signalAll(survivors, 'SIGKILL', root);
    await options.clock.sleep(pollMs);
  }
  return { terminated: first.size, killed };
}

/** Live members of the tree right now (zombies excluded: they are dead and only wait to be reaped). */
export function findTreeMembers(root: TreeRoot): Set<number> {
  const table = readProcTable();
  const protectedPids = ancestorsOfSelf(table);
  const members = new Set<number>();
  const startedSinceRoot = (entry: ProcEntry): boolean =>
    compareStartTimes(entry.startTime, root.startTime) >= 0;
  const rootEntry = table.get(root.pid);
  if (rootEntry && rootEntry.startTime === root.startTime) members.add(root.pid);
  for (const entry of table.values()) {
    if (!startedSinceRoot(entry)) continue;
    if (root.pgid > 1 && entry.pgid === root.pgid) members.add(entry.pid);
    else if (root.tag && hasEnvironmentEntry(entry.pid, root.tag)) members.add(entry.pid);
  }
  const children = new Map<number, number[]>();
  for (const entry of table.values()) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry.pid);
    else children.set(entry.ppid, [entry.pid]);
  }
  const queue = [...members];
  for (let head = 0; head < queue.length; head++) {
    for (const child of children.get(queue[head] as number) ?? []) {
      if (!members.has(child)) {
        members.add(child);
        queue.push(child);
      }
    }
  }
  for (const pid of [...members]) {
    if (protectedPids.has(pid) || pid <= 1 || table.get(pid)?.state === 'Z') members.delete(pid);
  }
  return members;
}

function signalAll(pids: Set<number>, signal: NodeJS.Signals, root: TreeRoot): void {
  // The group signal reaches members that fork between our scan and our kill.
  if (root.pgid > 1 && root.pgid !== process.pid && !ancestorsOfSelf(readProcTable()).has(root.pgid)) {
    try {
      process.kill(-root.pgid, signal);
    } catch {
      // The group is already gone.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the scan and the signal.
    }
  }
}

function ancestorsOfSelf(table: Map<number, ProcEntry>): Set<number> {
  const own = new Set<number>([process.pid]);
  const self = table.get(process.pid);
  if (self) own.add(self.pgid);
  for (let pid = process.ppid; pid > 1 && !own.has(pid); pid = table.get(pid)?.ppid ?? 0) own.add(pid);
  return own;
}
