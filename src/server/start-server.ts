/**
 * Starts the HTTP API, the event stream and the dashboard for one engine and store; the composition root
 * of the server, used by `ai-collab serve` and by `run --serve` / `plan --serve` inside their processes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventDecoder } from '../engine/decode-events.js';
import type { RunEvent } from '../engine/events.js';
import type { RunState } from '../engine/run-state.js';
import { createGitRunner } from '../workspace/git-runner.js';
import { actionRoutes } from './http/action-routes.js';
import { HttpError } from './http/http-io.js';
import { mcpRoutes } from './http/mcp-routes.js';
import { metricsRoutes } from './http/metrics-routes.js';
import { readRoutes } from './http/read-routes.js';
import { admit, type HandlerDeps, handleRequest, refuseUpgrade } from './http/request-handler.js';
import type { ApiContext } from './http/route-context.js';
import { type Route, Router } from './http/router.js';
import { loginLink, sessionRoutes } from './http/session-routes.js';
import { startRoutes } from './http/start-routes.js';
import { defaultWebRoot, staticRoutes } from './http/static-files.js';
import { gitDiffSource } from './http/step-diff.js';
import { transcriptRoutes } from './http/transcript-routes.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { createRedactor, type Redactor, secretsFromEnvironment } from './security/redact.js';
import { type AccessPolicy, buildAccessPolicy } from './security/request-policy.js';
import { createToken, LoginCodes } from './security/token.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './server-options.js';
import { FeedRegistry } from './stream/feed-registry.js';
import { RunsWatcher } from './stream/runs-watcher.js';
import { StreamHub } from './stream/stream-hub.js';

export interface RunningServer {
  /** `http://127.0.0.1:PORT` (or the address it was asked to bind). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** `server.json`, when written. */
  readonly serverFile: string | undefined;
  /** The route table, for tests that check every route. */
  readonly routes: readonly Route[];
  /** A fresh one-time sign-in URL for the dashboard (the token never appears in it). */
  loginUrl(): string;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(input: ServerOptions): Promise<RunningServer> {
  const options = resolveServerOptions(input);
  const { clock, logger, limits } = options;
  const token = createToken();
  const startedAt = clock.now();
  const logins = new LoginCodes(limits.loginCodeTtlMs, () => clock.now());
  const envSecrets = secretsFromEnvironment(options.environment);
  const redactor = createRedactor(() => [token, ...logins.outstanding(), ...envSecrets, ...options.secrets]);
  let baseUrl = '';
  let policy: AccessPolicy | undefined;
  const decoder = new EventDecoder(logger, options.store.location);

  const { feeds, metrics, watcher, hub } = createStreaming(options, redactor, decoder, startedAt);

  const api: ApiContext = {
    engine: options.engine,
    store: options.store,
    feeds,
    watcher,
    stateDir: options.stateDir,
    agentCatalog: options.agentCatalog,
    diff: options.diff ?? gitDiffSource(createGitRunner({ environment: options.environment })),
    metrics,
    logins,
    baseUrl: () => baseUrl,
    version: options.version,
    startedAt,
    clock,
    logger,
    decoder,
    ...(options.stats?.cluster && { cluster: options.stats.cluster.bind(options.stats) }),
  };
  const mcp = mcpRoutes(options.actions, {
    maxSessions: limits.maxMcpSessions,
    logger,
    redact: (text) => redactor.text(text),
  });
  const router = routerFor(api, token, options, mcp.routes);
  const deps: HandlerDeps = {
    router,
    policy: () => {
      if (!policy) throw new Error('the server is not listening yet');
      return policy;
    },
    redactor,
    metrics,
    logger,
    maxBodyBytes: limits.maxBodyBytes,
  };

  const server = createHttpServer(deps, hub);

  const port = await listen(server, options.host, options.port);
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  baseUrl = `http://${hostForUrl}:${port}`;
  policy = buildAccessPolicy(
    port,
    [...options.allowedHosts, ...(options.host === '0.0.0.0' || options.host === '::' ? [] : [options.host])],
    options.allowedOrigins,
    token,
  );
  const stopFollowing = followRuns(options, feeds, watcher, metrics);
  const serverFile = options.writeServerFile
    ? writeServerFile(options.stateDir, { url: baseUrl, port, pid: process.pid, token })
    : undefined;
  logger.info('dashboard server listening', { url: baseUrl });

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    token,
    serverFile,
    routes: router.routes,
    loginUrl: () => loginLink(api).url,
    metricsText: () => metrics.registry.metrics(),
    close: () => {
      closing ??= (async () => {
        stopFollowing();
        watcher.close();
        if (serverFile) removeServerFile(options.stateDir, token);
        await mcp.close();
        hub.close();
        feeds.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/** The event stream's parts: a feed per watched run, the metrics and the runs list they feed, the hub. */
function createStreaming(
  options: ResolvedServerOptions,
  redactor: Redactor,
  decoder: EventDecoder,
  startedAt: number,
) {
  const { clock, logger, limits } = options;
  const feedsDeps = {
    engine: options.engine,
    store: options.store,
    clock,
    logger,
    decoder,
    redactor,
    observe: (event: RunEvent, state: Readonly<RunState>, replayed: boolean) => {
      metrics.observe(event, state);
      if (!replayed && event.type.startsWith('run.')) watcher.noteState(state);
    },
  };
  const feeds = new FeedRegistry(feedsDeps, {
    pollMs: limits.pollMs,
    idleCloseMs: limits.idleFeedCloseMs,
    replayWindow: limits.maxReplayEvents,
    liveFlushMs: limits.liveFlushMs,
    liveMaxChars: limits.liveMaxChars,
  });
  const metrics = new ServerMetrics(startedAt, {
    states: () => [...feeds.feeds()].map((feed) => feed.state),
    ...(options.stats && { stats: options.stats }),
  });
  const watcher: RunsWatcher = new RunsWatcher(
    options.store,
    options.engine,
    feeds,
    (summary) => hub.runUpdated(summary),
    // Runs that changed since the server started and whose events the metrics have not all seen.
    (record) => record.updatedAt >= startedAt && metrics.behind(record.runId, record.lastSeq),
    limits.listedRuns,
  );
  const hub = new StreamHub(
    { feeds, watcher, redactor, clock, logger, metrics: metrics.stream, version: options.version },
    limits,
  );
  return { feeds, metrics, watcher, hub };
}

/** The HTTP server: requests through the route table, upgrades to the stream once admitted and if there is room. */
function createHttpServer(deps: HandlerDeps, hub: StreamHub): Server {
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 });
  server.keepAliveTimeout = 5_000;
  server.on('request', (request, response) => {
    handleRequest(deps, request, response).catch((error: unknown) => {
      deps.logger.error('request handler failed', { error });
      response.destroy();
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const admitted = admit(deps, request, true);
    if (admitted instanceof HttpError) {
      deps.metrics.rejected(admitted.code);
      refuseUpgrade(socket, admitted, deps.redactor);
      return;
    }
    if (!hub.hasRoom()) {
      deps.metrics.rejected('TOO_MANY_CONNECTIONS');
      refuseUpgrade(
        socket,
        new HttpError(503, 'TOO_MANY_CONNECTIONS', 'the server is at its connection limit'),
        deps.redactor,
      );
      return;
    }
    hub.accept(request, socket, head);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

/** Every route the server answers, in match order. */
function routerFor(
  api: ApiContext,
  token: string,
  options: ResolvedServerOptions,
  mcpRoutesTable: readonly Route[],
): Router {
  return new Router([
    ...sessionRoutes(api, token),
    ...readRoutes(api),
    ...transcriptRoutes(api),
    ...actionRoutes(api),
    ...startRoutes(options.actions),
    ...mcpRoutesTable,
    ...metricsRoutes(api),
    { method: 'GET', path: '/api/stream', access: 'token', upgrade: true, handle: () => undefined },
    ...staticRoutes(options.webRoot ?? defaultWebRoot()),
  ]);
}

/**
 * Keeps feeds and the runs list current: feeds tick when this process starts a run, the run index is polled
 * for the rest. Returns what stops it.
 */
function followRuns(
  options: ResolvedServerOptions,
  feeds: FeedRegistry,
  watcher: RunsWatcher,
  metrics: ServerMetrics,
): () => void {
  feeds.start();
  const stopNotices = options.engine.onRunStarted((runId) => feeds.peek(runId)?.tick());
  const pollRuns = (): void => {
    const listed = watcher.poll();
    metrics.retainOnly((runId) => listed.has(runId) || feeds.peek(runId) !== undefined);
  };
  pollRuns();
  const cancelRunsPoll = repeat(options.clock, options.limits.runsPollMs, pollRuns);
  return () => {
    cancelRunsPoll();
    stopNotices();
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function repeat(clock: ServerOptions['clock'], everyMs: number, work: () => void): () => void {
  let cancel = (): void => {};
  const loop = (): void => {
    cancel = clock.setTimer(everyMs, () => {
      work();
      loop();
    });
  };
  loop();
  return () => cancel();
}
