/**
 * One incarnation of a server the extension started: spawned, ready once it prints `listening on <url>`
 * and its `server.json` names that URL, stopped with SIGTERM, then SIGKILL after a grace period.
 */
import type { Clock } from '../support/clock.js';
import { ExtensionError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { ChildHandle, ExitInfo, ProcessSpawner, SpawnRequest } from './process-spawner.js';
import type { ServerInfo } from './server-info.js';

export interface ServerProcessDeps {
  clock: Clock;
  spawner: ProcessSpawner;
  logger: Logger;
  readServerInfo: (stateDir: string) => ServerInfo | undefined;
}

/** Lines of stderr kept for the crash message. */
const stderrLines = 20;
const listeningLine = /listening on (https?:\/\/\S+)/;
/** How long after the `listening on` line the server file may take to appear, and how often to look. */
const serverFileWaitMs = 5_000;
const serverFilePollMs = 50;

export class ServerProcess {
  readonly #deps: ServerProcessDeps;
  readonly #child: ChildHandle;
  readonly #stderr: string[] = [];
  readonly ready: Promise<ServerInfo>;
  readonly exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;

  constructor(deps: ServerProcessDeps, request: SpawnRequest, stateDir: string) {
    this.#deps = deps;
    this.#child = deps.spawner.spawn(request);
    this.exited = new Promise((resolve) =>
      this.#child.onExit((exit) => {
        this.#exit = exit;
        resolve(exit);
      }),
    );
    this.#child.onStderrLine((line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > stderrLines) this.#stderr.shift();
      deps.logger.debug(`server: ${line}`);
    });
    this.ready = new Promise<ServerInfo>((resolve, reject) => {
      let announced = false;
      this.#child.onStdoutLine((line) => {
        deps.logger.debug(`server stdout: ${line}`);
        const url = listeningLine.exec(line)?.[1];
        if (!url || announced) return;
        announced = true;
        this.#awaitServerFile(stateDir, url).then(resolve, reject);
      });
      void this.exited.then((exit) =>
        reject(new ExtensionError('SERVER_START_FAILED', describeExit(exit), { details: this.stderrTail() })),
      );
    });
    // Ready may never be awaited (a stop during start); its rejection is reported through `exited`.
    this.ready.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  stderrTail(): string[] {
    return [...this.#stderr];
  }

  /** SIGTERM to the process group (the server stops gracefully; runs stay resumable), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    this.#child.signal('SIGTERM');
    let cancelKill = (): void => undefined;
    const killed = new Promise<void>((resolve) => {
      cancelKill = this.#deps.clock.setTimer(graceMs, () => {
        this.#deps.logger.warn('server did not stop in time; killing it', { pid: this.pid, graceMs });
        this.#child.signal('SIGKILL');
        resolve();
      });
    });
    const exit = await Promise.race([this.exited, killed.then(() => this.exited)]);
    cancelKill();
    return exit;
  }

  async #awaitServerFile(stateDir: string, url: string): Promise<ServerInfo> {
    const deadline = this.#deps.clock.now() + serverFileWaitMs;
    for (;;) {
      const info = this.#deps.readServerInfo(stateDir);
      // Another server's file (a stale one, or a concurrent start) names another URL: keep waiting for ours.
      if (info && info.url === new URL(url).origin) return info;
      if (this.#exit)
        throw new ExtensionError('SERVER_START_FAILED', describeExit(this.#exit), {
          details: this.stderrTail(),
        });
      if (this.#deps.clock.now() >= deadline) {
        throw new ExtensionError(
          'SERVER_START_FAILED',
          `the server announced ${url} but wrote no matching server.json`,
        );
      }
      await this.#deps.clock.sleep(serverFilePollMs);
    }
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `the server could not be started: ${exit.spawnError}`;
  if (exit.signal) return `the server was stopped by ${exit.signal}`;
  return `the server exited with code ${exit.code}`;
}
