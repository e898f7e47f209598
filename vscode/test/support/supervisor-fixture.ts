import { FakeClock, settle } from '../../../test/support/fake-clock.js';
import type { ServerInfo } from '../../src/supervisor/server-info.js';
import { ServerSupervisor, type SupervisorDeps } from '../../src/supervisor/server-supervisor.js';
import {
  defaultSupervisorSettings,
  type SupervisorOptions,
} from '../../src/supervisor/supervisor-options.js';
import { type FakeChild, FakeSpawner } from './fake-spawner.js';
import { type LogLine, MemoryLogger } from './memory-logger.js';

export const token = 'a'.repeat(64);

/** A supervisor on a fake clock and a fake spawner, with a world the test controls: server.json, health, memory. */
export class SupervisorWorld {
  readonly clock = new FakeClock();
  readonly spawner = new FakeSpawner();
  readonly logger = new MemoryLogger();
  readonly alive = new Set<number>();
  serverFile: ServerInfo | undefined;
  healthy = true;
  /** When set, probes never answer (a hung server). */
  hung = false;
  rssBytes = 100 * 1024 * 1024;
  random = 0.5;
  /** Spawned children announce themselves at once (a working server). */
  autoAnnounce = true;
  readonly supervisor: ServerSupervisor;
  #port = 40_000;

  constructor(options: Partial<SupervisorOptions> = {}) {
    this.spawner.onSpawn = (child) => {
      this.alive.add(child.pid);
      child.onExit(() => this.alive.delete(child.pid));
      if (this.autoAnnounce) queueMicrotask(() => this.announce(child));
    };
    const deps: SupervisorDeps = {
      clock: this.clock,
      spawner: this.spawner,
      logger: this.logger,
      random: () => this.random,
      readServerInfo: () => this.serverFile,
      probe: (server) =>
        this.hung
          ? new Promise<boolean>(() => undefined)
          : Promise.resolve(this.healthy && this.alive.has(server.pid)),
      isAlive: (pid) => this.alive.has(pid),
      rssBytes: async (pid) => (this.alive.has(pid) ? this.rssBytes : undefined),
    };
    this.supervisor = new ServerSupervisor(
      {
        ...defaultSupervisorSettings,
        workspace: '/workspace',
        stateDir: '/workspace/.ai-collab',
        command: 'ai-collab',
        args: [],
        env: { AI_COLLAB_CONFIG_JSON: '{}' },
        ...options,
      },
      deps,
    );
  }

  /** The child writes server.json and prints its `listening on` line. */
  announce(child: FakeChild): ServerInfo {
    const port = this.#port++;
    const url = `http://127.0.0.1:${port}`;
    this.serverFile = { url, port, pid: child.pid, token };
    child.print(`listening on ${url}`);
    return this.serverFile;
  }

  /** The last spawned child crashes (and leaves its server.json behind, as a crash does). */
  async crash(code = 1): Promise<void> {
    const child = this.spawner.last;
    child.printError(`fatal: crash number ${this.spawner.children.length}`);
    child.exit({ code, signal: null });
    await settle();
  }

  /** A server some other process started (the CLI, another window). */
  foreignServer(pid = 77): ServerInfo {
    this.alive.add(pid);
    this.serverFile = { url: 'http://127.0.0.1:39999', port: 39_999, pid, token };
    return this.serverFile;
  }

  states(): string[] {
    return this.logger.lines.map((line: LogLine) => line.message);
  }
}
