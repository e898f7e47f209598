/**
 * The supervisor inside VS Code: its options from settings and SecretStorage, the crash-loop error with
 * Restart / Show Log actions, and API clients for whatever server is current.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ApiClient } from '../api/api-client.js';
import { apiKeyEnvironment, knownKeyNames } from '../config/api-keys.js';
import { buildConfigOverlay, overlayEnvironment } from '../config/config-overlay.js';
import { readSettings } from '../config/settings.js';
import { systemClock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { isProcessAlive, readRssBytes } from './process-probes.js';
import { nodeProcessSpawner } from './process-spawner.js';
import { resolveServerCommand } from './server-command.js';
import { readServerInfo, type ServerInfo } from './server-info.js';
import { ServerSupervisor } from './server-supervisor.js';
import { defaultSupervisorSettings } from './supervisor-options.js';

export interface ServerHostDeps {
  workspace: string;
  secrets: vscode.SecretStorage;
  /** Names of custom key variables the user stored (names only; values stay in SecretStorage). */
  customKeyNames: () => readonly string[];
  logger: Logger;
  showLog: () => void;
}

export class ServerHost implements vscode.Disposable {
  readonly #deps: ServerHostDeps;
  #supervisor: ServerSupervisor | undefined;
  #startRequested = false;
  #stopListening: () => void = () => undefined;
  readonly #onDidChangeState = new vscode.EventEmitter<ServerSupervisor['state']>();
  readonly onDidChangeState = this.#onDidChangeState.event;
  /** Secrets the logger must never print: the server's token and the API keys. */
  readonly secrets = new Set<string>();

  constructor(deps: ServerHostDeps) {
    this.#deps = deps;
  }

  get supervisor(): ServerSupervisor | undefined {
    return this.#supervisor;
  }

  /** Whether a start was asked for: true from the call on, while the options are still being read. */
  get startRequested(): boolean {
    return this.#startRequested;
  }

  /** Starts supervising (once); the server's options are read now, from settings and SecretStorage. */
  async start(): Promise<ServerSupervisor> {
    if (this.#supervisor) return this.#supervisor;
    this.#startRequested = true;
    const supervisor = await this.#create().catch((error: unknown) => {
      this.#startRequested = false;
      throw error;
    });
    this.#supervisor = supervisor;
    this.#stopListening = supervisor.onDidChangeState((state) => {
      if (state.kind === 'running') this.secrets.add(state.server.token);
      this.#onDidChangeState.fire(state);
      if (state.kind === 'crash-loop') void this.#reportCrashLoop(state.message, state.stderrTail);
    });
    supervisor.start();
    return supervisor;
  }

  async ready(): Promise<ServerInfo> {
    return (await this.start()).ready();
  }

  async api(): Promise<ApiClient> {
    return new ApiClient(await this.ready());
  }

  /** Stops the current supervisor (and the server it owns) and starts again with fresh settings and keys. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const supervisor = this.#supervisor;
    this.#supervisor = undefined;
    this.#startRequested = false;
    this.#stopListening();
    if (supervisor) await supervisor.stop();
  }

  dispose(): void {
    this.#onDidChangeState.dispose();
  }

  async #create(): Promise<ServerSupervisor> {
    const settings = readSettings();
    const { workspace, logger } = this.#deps;
    const { command, args } = resolveServerCommand(settings.serverCommand, workspace, isExecutable);
    const keys = await apiKeyEnvironment(this.#deps.secrets, [
      ...knownKeyNames,
      ...this.#deps.customKeyNames(),
    ]);
    for (const value of Object.values(keys)) this.secrets.add(value);
    const overlay = overlayEnvironment(buildConfigOverlay(settings));
    const interval = Math.max(1, settings.healthCheckIntervalSeconds) * 1000;
    return new ServerSupervisor(
      {
        ...defaultSupervisorSettings,
        healthIntervalMs: interval,
        maxRssBytes: Math.max(64, settings.maxMemoryMB) * 1024 * 1024,
        workspace,
        stateDir: join(workspace, '.ai-collab'),
        command,
        args,
        env: { ...process.env, ...keys, ...overlay },
      },
      {
        clock: systemClock,
        spawner: nodeProcessSpawner,
        logger,
        random: Math.random,
        readServerInfo,
        isAlive: isProcessAlive,
        rssBytes: readRssBytes,
        probe: async (server) =>
          (await new ApiClient(server).health({ timeoutMs: defaultSupervisorSettings.healthTimeoutMs })).ok,
      },
    );
  }

  async #reportCrashLoop(message: string, stderrTail: readonly string[]): Promise<void> {
    // A toast shows one paragraph: the last stderr lines go in it, the whole tail is in the log.
    const tail = stderrTail.slice(-3).join(' | ');
    const choice = await vscode.window.showErrorMessage(
      tail ? `${message} Last output: ${tail}` : message,
      'Restart',
      'Show Log',
    );
    if (choice === 'Restart') await this.#supervisor?.restart();
    else if (choice === 'Show Log') this.#deps.showLog();
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
