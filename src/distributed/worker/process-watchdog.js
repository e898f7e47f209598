// @ts-check
/**
 * A worker's dead-man switch, run as its own small process: the worker tells it (one JSON line on stdin
 * each) which process trees serve its attempts; when the worker ends, even by SIGKILL, it stops every tree
 * still listed, so no agent keeps editing a worktree for an attempt that now runs elsewhere. Trees are found
 * by process group or cgroup only: the step tag is the same for another worker's execution of the same
 * attempt on this machine.
 *
 * Plain JavaScript with only Node's built-ins, started by `node` with no loader and no flags
 * (watchdog-client.ts), from src/ and from dist/ alike: a watchdog must come up whatever the worker's own
 * runtime is (a TypeScript loader once hung watchdogs at start, and a hung watchdog protects nothing). So it
 * cannot take agents/process/kill-tree.ts and keeps only that module's last step: SIGKILL to the cgroup, or
 * to the group and every descendant, until nothing is left.
 *
 * Protocol: argv[2] is the worker's pid. Once it watches its stdin and its parent it writes `ready\n` on
 * stdout (the worker takes no job before). Then each stdin line is `{"op":"add","root":{pid,pgid,startTime,
 * bootId,cgroup?}}` or `{"op":"remove","pid","startTime"}`. Its stdin closing, or its parent changing, is
 * the worker's end.
 */
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/** @typedef {{ pid: number, pgid: number, startTime: string, bootId: string, cgroup?: string }} Root */
/** @typedef {{ pid: number, ppid: number, pgid: number, startTime: bigint, state: string }} Entry */

const workerPid = Number(process.argv[2]);
/** @type {Map<string, Root>} */
const trees = new Map();
const forceRounds = 5;
const pollMs = 25;
let stopping = false;

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (/** @type {string} */ chunk) => {
  pending += chunk;
  for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
    apply(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
  }
});
for (const event of ['end', 'close', 'error']) process.stdin.on(event, () => void stop());
// The pipe closes with the worker unless one of its children inherited it: the parent is asked too.
setInterval(() => {
  const parent = readEntry(process.pid)?.ppid;
  if (parent !== undefined && parent !== workerPid) void stop();
}, 1000).unref();
// The worker's signals are not ours: only the worker's end ends the watch.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
// The worker stops reading once it has the line: anything written later (a warning) must not end us.
for (const output of [process.stdout, process.stderr]) output.on('error', () => {});
process.stdout.write('ready\n');

/** @param {string} line */
function apply(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (!isObject(message)) return;
  const root = message.op === 'add' && isObject(message.root) ? rootOf(message.root) : undefined;
  if (root) trees.set(`${root.pid}/${root.startTime}`, root);
  else if (message.op === 'remove') trees.delete(`${message.pid}/${message.startTime}`);
}

/** @param {Record<string, unknown>} value @returns {Root | undefined} */
function rootOf(value) {
  const { pid, pgid, startTime, bootId, cgroup } = value;
  const valid =
    isPid(pid) &&
    isPid(pgid) &&
    typeof startTime === 'string' &&
    /^\d+$/.test(startTime) &&
    typeof bootId === 'string' &&
    (cgroup === undefined || typeof cgroup === 'string');
  if (!valid) return undefined;
  return { pid, pgid, startTime, bootId, ...(cgroup !== undefined && { cgroup }) };
}

async function stop() {
  if (stopping) return;
  stopping = true;
  const ownBoot = readText('/proc/sys/kernel/random/boot_id')?.trim();
  const live = [...trees.values()].filter((root) => root.bootId === ownBoot);
  // One tree that cannot be stopped must not spare the others.
  await Promise.allSettled(live.map((root) => (root.cgroup ? stopCgroup(root.cgroup) : stopGroup(root))));
  process.exit(0);
}

/** cgroup.kill reaches every member, also one forked meanwhile; the empty cgroup is then removed. */
async function stopCgroup(/** @type {string} */ path) {
  for (let round = 0; round < forceRounds && !removed(path); round++) {
    const members = pidsIn(readText(`${path}/cgroup.procs`) ?? '');
    if (members.includes(process.pid)) return;
    try {
      writeFileSync(`${path}/cgroup.kill`, '1');
    } catch {
      // A kernel without cgroup.kill (before 5.14): the members one by one.
      for (const pid of members) signal(pid);
    }
    await pause();
  }
}

/** The root, its group and every descendant of them (also those in a session of their own). */
async function stopGroup(/** @type {Root} */ root) {
  for (let round = 0; round < forceRounds; round++) {
    const table = readTable();
    const spared = ownLine(table);
    const members = treeMembers(root, table, spared);
    if (members.size === 0) return;
    // The group signal also reaches a member forked between the scan and the kill.
    if (root.pgid > 1 && !spared.has(root.pgid)) signal(-root.pgid);
    for (const pid of members) signal(pid);
    await pause();
  }
}

/**
 * Live processes of the tree: the root and its group (started since the root: an older one holds a reused
 * id), and every descendant of them. Zombies are already dead.
 * @param {Root} root @param {Map<number, Entry>} table @param {Set<number>} spared
 */
function treeMembers(root, table, spared) {
  const since = BigInt(root.startTime);
  const members = new Set(
    [...table.values()]
      .filter((entry) => entry.startTime >= since && (entry.pid === root.pid || entry.pgid === root.pgid))
      .map((entry) => entry.pid),
  );
  const queue = [...members];
  for (let head = 0; head < queue.length; head++) {
    for (const entry of table.values()) {
      if (entry.ppid === queue[head] && !members.has(entry.pid)) {
        members.add(entry.pid);
        queue.push(entry.pid);
      }
    }
  }
  for (const pid of members)
    if (spared.has(pid) || pid <= 1 || table.get(pid)?.state === 'Z') members.delete(pid);
  return members;
}

/** This watchdog, its group and its ancestors: never signalled, whatever a reused id says. */
function ownLine(/** @type {Map<number, Entry>} */ table) {
  const self = table.get(process.pid);
  const own = new Set([process.pid, self?.pgid ?? process.pid]);
  for (let pid = self?.ppid ?? 0; pid > 1 && !own.has(pid); pid = table.get(pid)?.ppid ?? 0) own.add(pid);
  return own;
}

function readTable() {
  /** @type {Map<number, Entry>} */
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    const entry = /^\d+$/.test(name) ? readEntry(Number(name)) : undefined;
    if (entry) table.set(entry.pid, entry);
  }
  return table;
}

/** @returns {Entry | undefined} */
function readEntry(/** @type {number} */ pid) {
  const text = readText(`/proc/${pid}/stat`);
  // The command name sits in parentheses and may itself hold spaces and parentheses.
  const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
  if (!fields || fields.length < 20) return undefined;
  const [state = '?', ppid, pgid] = fields;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), startTime: BigInt(fields[19] ?? 0), state };
}

/** @param {string} path */
function removed(path) {
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    return isObject(error) && error.code === 'ENOENT';
  }
}

/** @param {string} path */
function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** @param {string} text */
function pidsIn(text) {
  return text.split('\n').filter(Boolean).map(Number);
}

/** @param {number} pid a process, or a group when negative */
function signal(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function pause() {
  return new Promise((resolve) => setTimeout(resolve, pollMs));
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null;
}

/** @param {unknown} value @returns {value is number} */
function isPid(value) {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
