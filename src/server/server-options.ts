/** Options of `startServer`, and the one place their defaults live. */
import type { AgentCatalog } from '../plan/agent-catalog.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { RuntimeStats, ServerEngine, ServerStore } from './engine-port.js';
import type { DiffSource } from './http/step-diff.js';
import type { ServerActions } from './server-actions.js';

export interface ServerLimits {
  /** Largest request body. @default 4 MiB (an edited 1,000-step plan fits) */
  maxBodyBytes?: number;
  /** Largest WebSocket message a client may send. @default 64 KiB */
  maxFrameBytes?: number;
  /** WebSocket connections at once; more are refused with 503 before the upgrade. @default 500 */
  maxConnections?: number;
  /** Bytes queued to one client before it is cut off (it resyncs on reconnect). @default 4 MiB */
  maxBufferedBytes?: number;
  /** Runs one connection may follow at once. @default 32 */
  maxSubscriptions?: number;
  /** A reconnecting client further behind than this gets a fresh snapshot instead of the events. @default 2,000 */
  maxReplayEvents?: number;
  /** Ping interval; a client that has not answered the previous ping is dropped. @default 30 s */
  heartbeatMs?: number;
  /** How often runs executed by other processes are read from the store. @default 100 ms */
  pollMs?: number;
  /** How often the runs list is refreshed from the store. @default 1 s */
  runsPollMs?: number;
  /** Live output is sent at most this often per run. @default 100 ms */
  liveFlushMs?: number;
  /** Live output per step and flush; the rest is skipped with a note. @default 8 KiB */
  liveMaxChars?: number;
  /** How long a one-time dashboard login code stays valid. @default 15 min */
  loginCodeTtlMs?: number;
  /** MCP sessions open at once over Streamable HTTP. @default 16 */
  maxMcpSessions?: number;
  /** Runs in the runs list (newest first); the server remembers nothing of runs beyond it. @default 500 */
  listedRuns?: number;
  /** A finished run nobody follows keeps its events in memory this long (a quick reconnect replays them). @default 60 s */
  idleFeedCloseMs?: number;
}

export interface ServerOptions {
  engine: ServerEngine;
  store: ServerStore;
  /** The state directory (`.ai-collab/`): `server.json` and the runs' logs live here. */
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Must be true to listen on anything but loopback; the token is required all the same. */
  allowRemote?: boolean;
  /** Extra Host names (without port) a request may name, e.g. the machine's name when `allowRemote`. */
  allowedHosts?: readonly string[];
  /** Extra origins allowed to call the API (e.g. a VS Code webview); the server's own are always allowed. */
  allowedOrigins?: readonly string[];
  /** Agents an edited plan may name (validation of plans edited in the dashboard). */
  agentCatalog: AgentCatalog;
  stats?: RuntimeStats;
  /** Planning, running plan text, reviewing and MCP; without them those routes answer 501. */
  actions?: ServerActions;
  /** Environment whose secret-looking variables are redacted from everything served. */
  environment?: NodeJS.ProcessEnv;
  /** Literal secrets to redact besides those found in the environment. */
  secrets?: readonly string[];
  /** Where step diffs come from. @default git diff of the step's recorded start and result commits */
  diff?: DiffSource;
  /** Write `server.json` into the state directory while serving. @default true */
  writeServerFile?: boolean;
  /** Directory of the built dashboard. @default the package's `dist/web` */
  webRoot?: string;
  version?: string;
  limits?: ServerLimits;
}

export type ResolvedServerOptions = Required<
  Omit<ServerOptions, 'stats' | 'actions' | 'diff' | 'webRoot' | 'limits' | 'environment'>
> &
  Pick<ServerOptions, 'stats' | 'actions' | 'diff' | 'webRoot'> & {
    environment: NodeJS.ProcessEnv;
    limits: Required<ServerLimits>;
  };

export const defaultLimits: Required<ServerLimits> = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxFrameBytes: 64 * 1024,
  maxConnections: 500,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSubscriptions: 32,
  maxReplayEvents: 2_000,
  heartbeatMs: 30_000,
  pollMs: 100,
  runsPollMs: 1_000,
  liveFlushMs: 100,
  liveMaxChars: 8 * 1024,
  loginCodeTtlMs: 15 * 60_000,
  maxMcpSessions: 16,
  listedRuns: 500,
  idleFeedCloseMs: 60_000,
};

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new InputError(
      'USAGE',
      `refusing to listen on ${host}: the dashboard would be reachable from other machines; pass the flag that allows remote access if that is what you want (the token is still required)`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InputError('USAGE', `port ${port} is not a TCP port (0 to 65535)`);
  }
  return {
    engine: options.engine,
    store: options.store,
    stateDir: options.stateDir,
    clock: options.clock,
    logger: options.logger,
    host,
    port,
    allowRemote: options.allowRemote ?? false,
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    agentCatalog: options.agentCatalog,
    // Redaction fails safe: without an explicit environment, the process's own is scanned for secrets.
    environment: options.environment ?? process.env,
    secrets: options.secrets ?? [],
    writeServerFile: options.writeServerFile ?? true,
    version: options.version ?? '0.0.0',
    limits: { ...defaultLimits, ...options.limits },
    ...(options.stats && { stats: options.stats }),
    ...(options.actions && { actions: options.actions }),
    ...(options.diff && { diff: options.diff }),
    ...(options.webRoot && { webRoot: options.webRoot }),
  };
}
