/**
 * Keeps one ai-collab server available for the workspace. It reuses a healthy server that is already
 * running (and never stops one it did not start); otherwise it spawns `ai-collab serve`, checks its
 * health and memory every interval, restarts it with capped, fully jittered exponential backoff when it
 * dies, hangs or outgrows its memory cap, stops restarting after too many crashes in a short window, and
 * stops it cleanly (SIGTERM, grace, SIGKILL) when the extension deactivates.
 */
import { type Clock, withTimeout } from '../support/clock.js';
import { ExtensionError, errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { ProcessSpawner } from './process-spawner.js';
import { CrashWindow, fullJitterDelay } from './restart-policy.js';
import type { ServerInfo } from './server-info.js';
import { describeExit, ServerProcess } from './server-process.js';
import type { SupervisorOptions } from './supervisor-options.js';

export interface SupervisorDeps {
  clock: Clock;
  spawner: ProcessSpawner;
  logger: Logger;
  /** [0, 1): the backoff's jitter. */
  random: () => number;
  readServerInfo: (stateDir: string) => ServerInfo | undefined;
  /** Resolves true when `GET /api/health` with the token answers ok. */
  probe: (server: ServerInfo) => Promise<boolean>;
  isAlive: (pid: number) => boolean;
  rssBytes: (pid: number) => Promise<number | undefined>;
}

export type SupervisorState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'running'; server: ServerInfo; owned: boolean }
  | { kind: 'backoff'; attempt: number; delayMs: number; reason: string }
  | { kind: 'crash-loop'; message: string; stderrTail: readonly string[] }
  | { kind: 'stopped' };

export class ServerSupervisor {
  readonly #options: SupervisorOptions;
  readonly #deps: SupervisorDeps;
  readonly #crashes: CrashWindow;
  readonly #listeners = new Set<(state: SupervisorState) => void>();
  readonly #waiters: Array<{ resolve: (server: ServerInfo) => void; reject: (error: Error) => void }> = [];
  #state: SupervisorState = { kind: 'idle' };
  #process: ServerProcess | undefined;
  /** Bumped on every (re)start and stop, so callbacks of an older incarnation do nothing. */
  #generation = 0;
  #attempt = 0;
  #runningSince = 0;
  #healthFailures = 0;
  #memoryStrikes = 0;
  #cancelTimer: () => void = () => undefined;

  constructor(options: SupervisorOptions, deps: SupervisorDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#crashes = new CrashWindow(options.crashWindowMs);
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** The pid of the process this supervisor spawned, if one is alive. */
  get ownedPid(): number | undefined {
    return this.#process && !this.#process.hasExited ? this.#process.pid : undefined;
  }

  onDidChangeState(listener: (state: SupervisorState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Begins supervision (idempotent). */
  start(): void {
    if (this.#state.kind !== 'idle' && this.#state.kind !== 'stopped') return;
    void this.#launch(++this.#generation);
  }

  /** The running server; starts one when idle; rejects while the supervisor has given up or is stopped. */
  ready(): Promise<ServerInfo> {
    const state = this.#state;
    if (state.kind === 'running') return Promise.resolve(state.server);
    if (state.kind === 'crash-loop') return Promise.reject(crashLoopError(state));
    if (state.kind === 'idle' || state.kind === 'stopped') this.start();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** A manual restart: forgets past crashes, stops the server it owns, and starts again. */
  async restart(): Promise<void> {
    this.#crashes.reset();
    this.#attempt = 0;
    await this.#halt();
    void this.#launch(++this.#generation);
  }

  /** Stops supervising; stops the server only if this supervisor started it. */
  async stop(): Promise<void> {
    await this.#halt();
    this.#setState({ kind: 'stopped' });
    this.#rejectWaiters(new ExtensionError('SERVER_UNAVAILABLE', 'the AI Collab server was stopped'));
  }

  async #halt(): Promise<void> {
    this.#generation++;
    this.#cancelTimer();
    const owned = this.#process;
    this.#process = undefined;
    if (owned) await owned.stop(this.#options.stopGraceMs);
  }

  async #launch(generation: number): Promise<void> {
    this.#setState({ kind: 'starting' });
    const reused = await this.#findRunningServer();
    if (generation !== this.#generation) return;
    if (reused) {
      this.#deps.logger.info('reusing the running ai-collab server', { url: reused.url, pid: reused.pid });
      this.#becomeRunning(generation, reused, false);
      return;
    }
    const { command, args, workspace, env, stateDir } = this.#options;
    this.#deps.logger.info('starting the ai-collab server', { command, args: [...args, 'serve'] });
    const child = new ServerProcess(
      this.#deps,
      { command, args: [...args, 'serve'], cwd: workspace, env },
      stateDir,
    );
    this.#process = child;
    let server: ServerInfo;
    try {
      server = await withTimeout(
        this.#deps.clock,
        child.ready,
        this.#options.startTimeoutMs,
        () =>
          new ExtensionError(
            'SERVER_START_FAILED',
            `the server did not start within ${this.#options.startTimeoutMs} ms`,
          ),
      );
    } catch (error) {
      if (generation !== this.#generation) return;
      await child.stop(this.#options.stopGraceMs);
      this.#crashed(generation, errorMessage(error), child.stderrTail());
      return;
    }
    if (generation !== this.#generation) return;
    void child.exited.then((exit) => this.#crashed(generation, describeExit(exit), child.stderrTail()));
    this.#becomeRunning(generation, server, true);
  }

  /** A healthy server named by `server.json`, or undefined. */
  async #findRunningServer(): Promise<ServerInfo | undefined> {
    let info: ServerInfo | undefined;
    try {
      info = this.#deps.readServerInfo(this.#options.stateDir);
    } catch (error) {
      this.#deps.logger.warn(errorMessage(error));
      return undefined;
    }
    if (!info || !this.#deps.isAlive(info.pid)) return undefined;
    return (await this.#probe(info)) ? info : undefined;
  }

  #becomeRunning(generation: number, server: ServerInfo, owned: boolean): void {
    this.#runningSince = this.#deps.clock.now();
    this.#healthFailures = 0;
    this.#memoryStrikes = 0;
    this.#setState({ kind: 'running', server, owned });
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(server);
    this.#scheduleCheck(generation);
  }

  #scheduleCheck(generation: number): void {
    this.#cancelTimer = this.#deps.clock.setTimer(this.#options.healthIntervalMs, () => {
      void this.#check(generation);
    });
  }

  async #check(generation: number): Promise<void> {
    const state = this.#state;
    if (generation !== this.#generation || state.kind !== 'running') return;
    if (this.#deps.clock.now() - this.#runningSince >= this.#options.stableAfterMs) this.#attempt = 0;
    if (!state.owned && !this.#deps.isAlive(state.server.pid)) {
      // A reused server that is gone needs no three failed checks to be noticed.
      await this.#replace(generation, `the server (pid ${state.server.pid}) is gone`);
      return;
    }
    const healthy = await this.#probe(state.server);
    if (generation !== this.#generation) return;
    this.#healthFailures = healthy ? 0 : this.#healthFailures + 1;
    if (this.#healthFailures >= this.#options.maxHealthFailures) {
      await this.#replace(generation, `the server failed ${this.#healthFailures} health checks in a row`);
      return;
    }
    const pid = state.owned ? state.server.pid : undefined;
    const rss = pid === undefined ? undefined : await this.#deps.rssBytes(pid);
    if (generation !== this.#generation) return;
    this.#memoryStrikes = rss !== undefined && rss > this.#options.maxRssBytes ? this.#memoryStrikes + 1 : 0;
    if (this.#memoryStrikes >= this.#options.memorySamples) {
      const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);
      await this.#replace(
        generation,
        `the server used ${mib(rss ?? 0)} MiB for ${this.#memoryStrikes} checks in a row (cap ${mib(this.#options.maxRssBytes)} MiB)`,
      );
      return;
    }
    this.#scheduleCheck(generation);
  }

  /** A hung or bloated server: stop it if it is ours, then restart like after a crash. */
  async #replace(generation: number, reason: string): Promise<void> {
    this.#deps.logger.warn(`restarting the server: ${reason}`);
    const owned = this.#process;
    this.#process = undefined;
    // Its exit must not count as a second crash.
    this.#generation++;
    if (owned) await owned.stop(this.#options.stopGraceMs);
    if (generation + 1 !== this.#generation) return;
    this.#crashed(this.#generation, reason, owned?.stderrTail() ?? []);
  }

  #crashed(generation: number, reason: string, stderrTail: readonly string[]): void {
    if (generation !== this.#generation) return;
    this.#cancelTimer();
    this.#process = undefined;
    const crashes = this.#crashes.record(this.#deps.clock.now());
    if (crashes >= this.#options.maxCrashes) {
      const minutes = Math.round(this.#options.crashWindowMs / 60_000);
      const message = `The AI Collab server stopped ${crashes} times within ${minutes} minutes, so it is not restarted again (last: ${reason}).`;
      this.#deps.logger.error(message, { stderr: stderrTail });
      const state: SupervisorState = { kind: 'crash-loop', message, stderrTail };
      this.#setState(state);
      this.#rejectWaiters(crashLoopError(state));
      return;
    }
    this.#attempt++;
    const delayMs = fullJitterDelay(this.#attempt, this.#options.backoff, this.#deps.random);
    this.#deps.logger.warn(`server down (${reason}); restarting in ${delayMs} ms`, {
      attempt: this.#attempt,
    });
    this.#setState({ kind: 'backoff', attempt: this.#attempt, delayMs, reason });
    const next = ++this.#generation;
    this.#cancelTimer = this.#deps.clock.setTimer(delayMs, () => {
      void this.#launch(next);
    });
  }

  async #probe(server: ServerInfo): Promise<boolean> {
    try {
      return await withTimeout(
        this.#deps.clock,
        this.#deps.probe(server),
        this.#options.healthTimeoutMs,
        () => new Error('health check timed out'),
      );
    } catch {
      return false;
    }
  }

  #setState(state: SupervisorState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }

  #rejectWaiters(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

function crashLoopError(state: Extract<SupervisorState, { kind: 'crash-loop' }>): ExtensionError {
  return new ExtensionError('SERVER_CRASH_LOOP', state.message, { details: state.stderrTail });
}
