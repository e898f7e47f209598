/**
 * The coordinator's git endpoint: git's smart HTTP (`git http-backend` as a CGI) for the one exchange
 * repository, so workers on other machines fetch start commits and push results with git itself. Each run
 * has its own URL (`/runs/<run>/exchange.git`) and token; a request without that run's token, or for any
 * path other than the three of smart HTTP, is refused before git sees it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { createToken, tokensEqual } from '../support/secret-token.js';
import { gitEnvironment } from '../workspace/git-runner.js';

export interface GitEndpoint {
  /** The URL a worker of this run uses, and the token it must send. */
  grant(runId: string): { url: string; token: string };
  readonly port: number;
  close(): Promise<void>;
}

/** The only paths smart HTTP needs; anything else (dumb HTTP's object paths included) is refused. */
const servicePaths = new Set(['/info/refs', '/git-upload-pack', '/git-receive-pack']);
const services = new Set(['git-upload-pack', 'git-receive-pack']);

/**
 * Settings of the CGI's git, through the environment so no configuration file is needed: pushes allowed
 * (http-backend refuses them to anonymous users otherwise), any commit fetchable by id (workers fetch the
 * start commit, which no ref of the exchange names), hooks off.
 */
const backendSettings: ReadonlyArray<[string, string]> = [
  ['http.receivepack', 'true'],
  ['http.uploadpack', 'true'],
  ['uploadpack.allowAnySHA1InWant', 'true'],
  ['core.hooksPath', '/dev/null'],
  ['receive.denyDeletes', 'true'],
];

export async function startGitEndpoint(options: {
  /** The bare exchange repository served. */
  repository: string;
  host: string;
  port: number;
  /** How workers reach this host, when it is not the listening address (e.g. behind NAT). */
  advertisedHost?: string;
  environment: Readonly<Record<string, string | undefined>>;
  /**
   * Where the port and the runs' tokens are kept (0600): a restarted coordinator listens on the same port
   * with the same tokens, so workers still running its attempts can push their results to it.
   */
  stateFile?: string;
}): Promise<GitEndpoint> {
  const saved = options.stateFile ? readSaved(options.stateFile) : undefined;
  const tokens = new Map<string, string>(Object.entries(saved?.tokens ?? {}));
  const root = dirname(options.repository);
  const name = basename(options.repository);
  const environment = {
    ...gitEnvironment(options.environment),
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: String(backendSettings.length),
    ...Object.fromEntries(
      backendSettings.flatMap(([key, value], index) => [
        [`GIT_CONFIG_KEY_${index}`, key],
        [`GIT_CONFIG_VALUE_${index}`, value],
      ]),
    ),
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://endpoint');
    const match = /^\/runs\/([A-Za-z0-9._-]{1,200})\/([^/]+)(\/.*)$/.exec(url.pathname);
    const [, runId, repository, servicePath] = match ?? [];
    if (!runId || repository !== name || !servicePath || !servicePaths.has(servicePath))
      return refuse(response, 404, 'not found');
    const expected = tokens.get(runId);
    const given = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!expected || !given || !tokensEqual(given, expected))
      return refuse(response, 401, 'this run needs its token');
    const service = url.searchParams.get('service');
    if (servicePath === '/info/refs' && (!service || !services.has(service)))
      return refuse(response, 403, 'smart HTTP only');
    runBackend(request, response, {
      ...environment,
      PATH_INFO: `/${name}${servicePath}`,
      REQUEST_METHOD: request.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      ...(request.headers['content-length'] && { CONTENT_LENGTH: request.headers['content-length'] }),
      ...(request.headers['content-encoding'] && {
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'],
      }),
      ...(typeof request.headers['git-protocol'] === 'string' && {
        GIT_PROTOCOL: request.headers['git-protocol'],
      }),
      REMOTE_USER: `worker-of-${runId}`,
      REMOTE_ADDR: request.socket.remoteAddress ?? '',
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => resolve());
    });
  if (options.port === 0 && saved?.port) {
    // The last port if it is still free; otherwise any (workers of the last process then cannot push).
    await listen(saved.port).catch(() => listen(0));
  } else await listen(options.port);
  const port = (server.address() as AddressInfo).port;
  const save = () => {
    if (options.stateFile)
      writeFileSync(options.stateFile, JSON.stringify({ port, tokens: Object.fromEntries(tokens) }), {
        mode: 0o600,
      });
  };
  save();
  const host = options.advertisedHost ?? options.host;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    grant(runId) {
      let token = tokens.get(runId);
      if (!token) {
        token = createToken();
        tokens.set(runId, token);
        save();
      }
      return { url: `http://${shownHost}:${port}/runs/${runId}/${name}`, token };
    },
    close: () => closeServer(server),
  };
}

const savedSchema = z.object({
  port: z.number().int().min(1).max(65_535),
  tokens: z.record(z.string(), z.string()),
});

function readSaved(file: string): z.infer<typeof savedSchema> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = savedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(`${message}\n`);
}

/** Pipes the request into `git http-backend` and its CGI answer (headers, blank line, body) back. */
function runBackend(request: IncomingMessage, response: ServerResponse, env: Record<string, string>): void {
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  request.pipe(child.stdin);
  child.stdin.on('error', () => {});
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'));
    response.writeHead(status, headers);
    response.write(head.subarray(end.at + end.length));
  });
  child.on('close', () => {
    if (!headersDone) refuse(response, 500, 'git http-backend gave no answer');
    else response.end();
  });
  child.on('error', () => {
    if (!response.headersSent) refuse(response, 500, 'git http-backend could not start');
  });
  response.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[key] = value;
  }
  return { status, headers };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
