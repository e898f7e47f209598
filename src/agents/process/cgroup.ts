/**
 * Cgroup v2 containment. Each supervised process starts inside a cgroup of its own, which neither it nor
 * any descendant can leave: `setsid`, double forks and a cleared environment all stay inside. A step's
 * leftovers are then read from one small file (`cgroup.procs`) and stopped with one write (`cgroup.kill`),
 * at a cost that does not depend on what else runs on the machine.
 *
 * Node cannot start a child inside a given cgroup, so the orchestrator moves itself into the step's cgroup
 * for the (synchronous) spawn and straight back: the fork inherits the cgroup before the child runs any code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { identify, isSameProcessAlive, readBootId } from './proc-table.js';

export type Containment = { kind: 'cgroup'; directory: string } | { kind: 'process-group'; reason: string };

/** Set to `process-group` to turn cgroup containment off (e.g. when another tool manages the cgroups). */
export const containmentVariable = 'AI_COLLAB_CONTAINMENT';

const containerPrefix = 'ai-collab-';

let detected: Containment | undefined;
let ownProcs: string | undefined;
let nextCgroup = 0;

/** What contains this orchestrator's children; probed once (a few file operations), then remembered. */
export function processContainment(environment: NodeJS.ProcessEnv = process.env): Containment {
  detected ??= probeContainment(environment);
  return detected;
}

/**
 * A new empty cgroup for one process tree, or undefined when cgroups are not usable here. Synchronous, as is
 * `remove`: one constant-time system call (tens of microseconds, whatever else runs on the machine) costs
 * less than a trip through the thread pool, and each such trip gave the step's next event a group commit
 * of its own (400 `true` steps: 190 commits with the trip, 74 without).
 */
export function createProcessCgroup(
  containment: Containment = processContainment(),
): ProcessCgroup | undefined {
  if (containment.kind !== 'cgroup' || ownProcs === undefined) return undefined;
  const home = ownProcs;
  const path = join(containment.directory, String(++nextCgroup));
  try {
    mkdirSync(path, { mode: 0o755 });
    return new ProcessCgroup(path, home);
  } catch {
    return undefined;
  }
}

/**
 * Runs `start` (a synchronous spawn) so that the child is born in a new cgroup of its own. `cgroup` is
 * undefined when the child is not contained (cgroups unusable here): the caller falls back to its group.
 * Synchronous, so the caller listens to the child before its `spawn` event (the next tick) is emitted.
 */
export function startContained<T>(
  start: () => T,
  containment: Containment = processContainment(),
): { started: T; cgroup?: ProcessCgroup } {
  const cgroup = createProcessCgroup(containment);
  if (!cgroup) return { started: start() };
  const inside = cgroup.spawnInside(start);
  if (inside.contained) return { started: inside.started, cgroup };
  cgroup.remove();
  return { started: inside.started };
}

export class ProcessCgroup {
  readonly path: string;
  readonly #home: string | undefined;

  /** `home` is the orchestrator's own cgroup.procs, needed only to start children inside. */
  constructor(path: string, home?: string) {
    this.path = path;
    this.#home = home;
  }

  /**
   * The command line that joins this cgroup and then execs `command`: the child moves itself, so the
   * orchestrator's event loop does not wait for the kernel's cgroup migration (an RCU grace period).
   * Only for commands known to exist (the child cannot report ENOENT as a spawn error).
   */
  joiningCommand(command: string, args: readonly string[]): { command: string; args: string[] } {
    const procs = `${this.path}/cgroup.procs`;
    const script = shellScriptOf(command, args);
    if (script !== undefined) {
      // A shell step is already a shell: it joins and then evaluates the step's command itself, which
      // saves a second shell's exec per step. `shift 2` inside the eval leaves no positional parameter
      // behind, and $0 is the shell's path, as in `sh -c`.
      const join = `echo $$ > "$1" || { echo "ai-collab: cannot join the step's cgroup $1" >&2; exit 125; }; eval "shift 2\n$2"`;
      return { command: '/bin/sh', args: ['-c', join, command, procs, script] };
    }
    const join = `echo $$ > "$0" || { echo "ai-collab: cannot join the step's cgroup $0" >&2; exit 125; }; exec "$@"`;
    return { command: '/bin/sh', args: ['-c', join, procs, command, ...args] };
  }

  /**
   * Runs `start` (a synchronous spawn) with the orchestrator inside the cgroup, so the child is born in
   * it whatever it execs. Costs the event loop two migrations; for rare spawns (pool workers).
   */
  spawnInside<T>(start: () => T): { started: T; contained: boolean } {
    const home = this.#home;
    if (home === undefined) return { started: start(), contained: false };
    try {
      writeFileSync(join(this.path, 'cgroup.procs'), String(process.pid));
    } catch {
      return { started: start(), contained: false };
    }
    try {
      return { started: start(), contained: true };
    } finally {
      try {
        writeFileSync(home, String(process.pid));
      } catch {
        // Staying inside would let this cgroup's kill reach the orchestrator; stop using cgroups instead.
        detected = { kind: 'process-group', reason: `could not leave ${this.path}` };
      }
    }
  }

  /** Live processes in the cgroup (never this orchestrator). */
  async members(): Promise<number[]> {
    return (await this.#procs()).filter((pid) => pid !== process.pid);
  }

  /** SIGKILL to every member at once, including ones forking right now (the kernel freezes the cgroup). */
  async kill(): Promise<void> {
    if ((await this.#procs()).includes(process.pid)) return;
    await writeFile(join(this.path, 'cgroup.kill'), '1').catch(() => {});
  }

  /**
   * Removes the cgroup if it is empty (or already gone): one system call that also answers whether
   * anything is left in it. A populated cgroup is left as it is (false).
   */
  remove(): boolean {
    try {
      rmdirSync(this.path);
      return true;
    } catch (error) {
      return error instanceof Error && 'code' in error && error.code === 'ENOENT';
    }
  }

  async #procs(): Promise<number[]> {
    try {
      return parsePids(await readFile(join(this.path, 'cgroup.procs'), 'utf8'));
    } catch {
      return [];
    }
  }
}

/** The script of `/bin/sh -c SCRIPT` (nothing after it), else undefined. */
export function shellScriptOf(command: string, args: readonly string[]): string | undefined {
  return command === '/bin/sh' && args.length === 2 && args[0] === '-c' ? args[1] : undefined;
}

export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

function probeContainment(environment: NodeJS.ProcessEnv): Containment {
  if (environment[containmentVariable] === 'process-group') {
    return { kind: 'process-group', reason: `${containmentVariable}=process-group` };
  }
  const own = ownCgroupDirectory();
  if (typeof own !== 'string') return { kind: 'process-group', reason: own.reason };
  const home = join(own, 'cgroup.procs');
  removeDeadContainers(own);
  const self = identify(process.pid);
  const directory = join(own, `${containerPrefix}${process.pid}-${self?.startTime ?? '0'}`);
  const probe = join(directory, 'probe');
  try {
    mkdirSync(directory, { recursive: true, mode: 0o755 });
    mkdirSync(probe, { recursive: true });
    writeFileSync(join(probe, 'cgroup.procs'), String(process.pid));
    writeFileSync(home, String(process.pid));
    const killable = existsSync(join(probe, 'cgroup.kill'));
    rmdirSync(probe);
    if (!killable) throw new Error('the kernel has no cgroup.kill (needs Linux 5.14)');
  } catch (error) {
    try {
      rmdirSync(probe);
    } catch {
      // Not created.
    }
    try {
      rmdirSync(directory);
    } catch {
      // Not created.
    }
    const why = error instanceof Error ? error.message : String(error);
    return { kind: 'process-group', reason: `cannot use a cgroup under ${own}: ${why}` };
  }
  ownProcs = home;
  // Empty by then: every tree's cgroup is removed once the tree is stopped.
  process.once('exit', () => {
    try {
      rmdirSync(directory);
    } catch {
      // A process outlived us; the next orchestrator removes the directory once it is empty.
    }
  });
  return { kind: 'cgroup', directory };
}

/** The cgroup v2 directory this process is in, or why there is none. */
function ownCgroupDirectory(): string | { reason: string } {
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    membership = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return { reason: 'no /proc (not Linux)' };
  }
  const mount = mountinfo
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[fields.indexOf('-') + 1] === 'cgroup2');
  if (!mount) return { reason: 'no cgroup v2 hierarchy is mounted' };
  const mountRoot = mount[3] ?? '/';
  const mountPoint = mount[4] ?? '';
  const own = membership
    .split('\n')
    .find((line) => line.startsWith('0::'))
    ?.slice(3);
  if (own === undefined) return { reason: 'this process is in no cgroup v2' };
  if (!own.startsWith(mountRoot)) return { reason: `cgroup ${own} is outside the mounted hierarchy` };
  return join(mountPoint, own.slice(mountRoot.length));
}

/** Removes the empty containers of orchestrators that died without removing theirs. */
function removeDeadContainers(own: string): void {
  let names: string[];
  try {
    names = readdirSync(own).filter((name) => name.startsWith(containerPrefix));
  } catch {
    return;
  }
  const bootId = readBootId();
  for (const name of names) {
    const [pid, startTime] = name.slice(containerPrefix.length).split('-');
    if (isSameProcessAlive({ pid: Number(pid), startTime: startTime ?? '', bootId })) continue;
    const container = join(own, name);
    try {
      for (const child of readdirSync(container, { withFileTypes: true })) {
        if (child.isDirectory()) rmdirSync(join(container, child.name));
      }
      rmdirSync(container);
    } catch {
      // Still populated: its processes belong to a run that `resume` stops.
    }
  }
}
