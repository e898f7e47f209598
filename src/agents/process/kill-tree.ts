/**
 * Stops a step's whole process tree. Contained in a cgroup (see cgroup.ts), the tree is exactly the
 * cgroup's members. Otherwise (the fallback) it is its process group, every descendant (also those that
 * started a session of their own), and every process that still carries the step's environment tag after
 * its parent died. SIGTERM first, SIGKILL after the grace period. Nothing here blocks the event loop.
 */
import type { Clock } from '../../support/clock.js';
import { ProcessCgroup } from './cgroup.js';
import {
  compareStartTimes,
  hasEnvironmentEntry,
  type ProcEntry,
  type ProcessIdentity,
  readBootId,
  readProcEntry,
  readProcTableAsync,
} from './proc-table.js';

export interface TreeRoot extends ProcessIdentity {
  /** Process group the root leads (spawned with its own group). */
  pgid: number;
  /** Environment entry prefix every process of the tree inherits, e.g. `AI_COLLAB_PROCESS_TAG=r1/build/1`. */
  tag?: string;
  /** The cgroup v2 directory the tree was started in: no member can leave it. */
  cgroup?: string;
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

/** One way of finding and signalling a tree's members. */
interface TreeMembership {
  members(): Promise<Set<number>>;
  signal(members: Set<number>, signal: NodeJS.Signals): Promise<void>;
  /** Called once the tree is gone (or given up on). */
  release(): Promise<void>;
}

const forceRounds = 5;

export async function killProcessTree(root: TreeRoot, options: KillTreeOptions): Promise<KillTreeReport> {
  if (root.bootId !== readBootId()) return { terminated: 0, killed: 0 };
  const cgroup = root.cgroup === undefined ? undefined : new ProcessCgroup(root.cgroup);
  // The common case: the step left nothing behind, which removing its empty cgroup proves at once.
  if (cgroup?.remove()) return { terminated: 0, killed: 0 };
  const tree = cgroup ? cgroupMembership(cgroup) : scannedMembership(root);
  const pollMs = options.pollMs ?? 25;
  const first = await tree.members();
  if (first.size === 0) {
    await tree.release();
    return { terminated: 0, killed: 0 };
  }
  await tree.signal(first, 'SIGTERM');
  const deadline = options.clock.now() + options.graceMs;
  while (options.clock.now() < deadline && (await tree.members()).size > 0) {
    await options.clock.sleep(Math.min(pollMs, Math.max(1, deadline - options.clock.now())));
  }
  let killed = 0;
  for (let round = 0; round < forceRounds; round++) {
    const survivors = await tree.members();
    if (survivors.size === 0) break;
    killed += survivors.size;
    await tree.signal(survivors, 'SIGKILL');
    await options.clock.sleep(pollMs);
  }
  await tree.release();
  return { terminated: first.size, killed };
}

function cgroupMembership(cgroup: ProcessCgroup): TreeMembership {
  return {
    members: async () => new Set(await cgroup.members()),
    signal: async (members, signal) => {
      // cgroup.kill also reaches a member forked after the read; SIGTERM goes to those we saw.
      if (signal === 'SIGKILL') await cgroup.kill();
      else signalEach(members, signal);
    },
    release: async () => {
      cgroup.remove();
    },
  };
}

function scannedMembership(root: TreeRoot): TreeMembership {
  return {
    members: async () => {
      const table = await readProcTableAsync();
      const tagged = new Set<number>();
      await Promise.all(
        tagCandidates(root, table).map(async (pid) => {
          if (root.tag && (await hasEnvironmentEntry(pid, root.tag))) tagged.add(pid);
        }),
      );
      return membersFromTable(root, table, tagged);
    },
    signal: async (members, signal) => {
      // The group signal reaches members that fork between our scan and our kill.
      if (root.pgid > 1 && !ancestorsOfSelf(readProcEntry).has(root.pgid)) {
        try {
          process.kill(-root.pgid, signal);
        } catch {
          // The group is already gone.
        }
      }
      signalEach(members, signal);
    },
    release: async () => {},
  };
}

/** Live members of the tree right now (zombies excluded), without blocking the event loop. */
export function findTreeMembers(root: TreeRoot): Promise<Set<number>> {
  return (root.cgroup ? cgroupMembership(new ProcessCgroup(root.cgroup)) : scannedMembership(root)).members();
}

/** Processes started since the root outside its group: only their environments can tie them to it. */
function tagCandidates(root: TreeRoot, table: Map<number, ProcEntry>): number[] {
  if (!root.tag) return [];
  return [...table.values()]
    .filter((entry) => compareStartTimes(entry.startTime, root.startTime) >= 0)
    .filter((entry) => !(root.pgid > 1 && entry.pgid === root.pgid))
    .map((entry) => entry.pid);
}

/** Zombies are excluded: they are dead and only wait to be reaped. */
function membersFromTable(root: TreeRoot, table: Map<number, ProcEntry>, tagged: Set<number>): Set<number> {
  const protectedPids = ancestorsOfSelf((pid) => table.get(pid));
  const members = new Set<number>();
  const rootEntry = table.get(root.pid);
  if (rootEntry && rootEntry.startTime === root.startTime) members.add(root.pid);
  for (const entry of table.values()) {
    if (compareStartTimes(entry.startTime, root.startTime) < 0) continue;
    if ((root.pgid > 1 && entry.pgid === root.pgid) || tagged.has(entry.pid)) members.add(entry.pid);
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

function signalEach(pids: Set<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the scan and the signal.
    }
  }
}

/** This process, its group and its ancestors: never signalled, whatever a tag or group says. */
function ancestorsOfSelf(lookup: (pid: number) => ProcEntry | undefined): Set<number> {
  const own = new Set<number>([process.pid]);
  const self = lookup(process.pid);
  if (self) own.add(self.pgid);
  for (let pid = process.ppid; pid > 1 && !own.has(pid); pid = lookup(pid)?.ppid ?? 0) own.add(pid);
  return own;
}
