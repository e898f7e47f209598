/** Starts the worker's process watchdog and tells it which process trees to stop if the worker dies. */
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WatchedRoot {
  pid: number;
  pgid: number;
  startTime: string;
  bootId: string;
  cgroup?: string;
}

export interface Watchdog {
  add(root: WatchedRoot): void;
  remove(root: { pid: number; startTime: string }): void;
  close(): void;
}

export function startWatchdog(): Watchdog {
  // The same extension as this module: .ts when run from source (through tsx), .js when built.
  const file = fileURLToPath(
    new URL(`./process-watchdog${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
  );
  const child = spawn(process.execPath, [...process.execArgv, file], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // Its own process group: a Ctrl-C or a group kill of the worker must not take the watchdog first.
    detached: true,
  });
  child.unref();
  child.stdin.on('error', () => {});
  const send = (message: object) => {
    if (child.stdin.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  return {
    add: (root) => send({ op: 'add', root }),
    remove: (root) => send({ op: 'remove', pid: root.pid, startTime: root.startTime }),
    close: () => child.stdin.end(),
  };
}
