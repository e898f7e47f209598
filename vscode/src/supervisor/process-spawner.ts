/**
 * Starting processes as a port, so the supervisor's sequencing is unit-tested with a fake and its pipes,
 * exits and signals with real children. The real spawner puts the child in its own process group, so a
 * stop reaches `npx`'s grandchild (the actual server) too.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
}

export interface ChildHandle {
  readonly pid: number | undefined;
  onStdoutLine(listener: (line: string) => void): void;
  onStderrLine(listener: (line: string) => void): void;
  /** Called once, when the process has exited (or failed to start). */
  onExit(listener: (exit: ExitInfo) => void): void;
  /** Sends `signal` to the child's whole process group. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface ProcessSpawner {
  spawn(request: SpawnRequest): ChildHandle;
}

export const nodeProcessSpawner: ProcessSpawner = {
  spawn(request) {
    const child = spawn(request.command, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    const exitListeners: Array<(exit: ExitInfo) => void> = [];
    let exit: ExitInfo | undefined;
    const finish = (info: ExitInfo): void => {
      if (exit) return;
      exit = info;
      for (const listener of exitListeners) listener(info);
    };
    child.once('error', (error) => finish({ code: null, signal: null, spawnError: error.message }));
    child.once('exit', (code, signal) => finish({ code, signal }));
    // Both pipes are always drained: a server blocked on a full stdout pipe would look hung.
    const stdout = createInterface({ input: child.stdout });
    const stderr = createInterface({ input: child.stderr });
    return {
      pid: child.pid,
      onStdoutLine: (listener) => stdout.on('line', listener),
      onStderrLine: (listener) => stderr.on('line', listener),
      onExit: (listener) => {
        if (exit) listener(exit);
        else exitListeners.push(listener);
      },
      signal: (signal) => {
        if (exit || child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // The group is gone already, or the child never led one: signal the child itself.
          child.kill(signal);
        }
      },
    };
  },
};
