/**
 * Every HTTP request and upgrade goes through here: route lookup, the access policy, query parameters,
 * then the handler, with errors mapped to their status. Nothing reaches a handler around these checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../support/logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Redactor } from '../security/redact.js';
import { type AccessPolicy, checkAccess } from '../security/request-policy.js';
import { HttpError, readJsonBody, sendError, sendJson } from './http-io.js';
import type { Route, Router } from './router.js';
import { toHttpError } from './wire-error.js';

export interface HandlerDeps {
  router: Router;
  policy: () => AccessPolicy;
  redactor: Redactor;
  metrics: ServerMetrics;
  logger: Logger;
  maxBodyBytes: number;
}

/** What the request asks for, or the error that refuses it; shared by requests and upgrades. */
export function admit(
  deps: HandlerDeps,
  request: IncomingMessage,
  upgrade: boolean,
): { route: Route; params: Record<string, string>; url: URL } | HttpError {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://server.invalid');
  } catch {
    return new HttpError(400, 'BAD_URL', 'the request URL cannot be parsed');
  }
  const method = request.method ?? 'GET';
  const match = deps.router.match(method, url.pathname);
  // Host and Origin are checked even for paths that do not exist, so probing tells a rebinding page nothing.
  const access =
    match.kind === 'found'
      ? {
          access: match.route.access,
          stateChanging: method !== 'GET',
          upgrade,
          ...(match.route.programmatic && { programmatic: true }),
        }
      : { access: 'token' as const, stateChanging: method !== 'GET', upgrade };
  const refused = checkAccess(deps.policy(), request.headers, url, access);
  if (refused) return refused;
  if (match.kind === 'not-found') return new HttpError(404, 'NOT_FOUND', `nothing at ${url.pathname}`);
  if (match.kind === 'method-not-allowed') {
    return new HttpError(405, 'METHOD_NOT_ALLOWED', `use ${match.allowed.join(' or ')}`, {
      headers: { allow: match.allowed.join(', ') },
    });
  }
  const allowed = new Set(match.route.query ?? []);
  for (const name of url.searchParams.keys()) {
    if (!allowed.has(name)) return new HttpError(400, 'BAD_PARAMETER', `unknown query parameter ${name}`);
  }
  if (Boolean(match.route.upgrade) !== upgrade) {
    return upgrade
      ? new HttpError(404, 'NOT_FOUND', 'WebSocket connections go to /api/stream')
      : new HttpError(426, 'UPGRADE_REQUIRED', 'this is the WebSocket endpoint', {
          headers: { upgrade: 'websocket' },
        });
  }
  return { route: match.route, params: match.params, url };
}

export async function handleRequest(
  deps: HandlerDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const admitted = admit(deps, request, false);
  if (admitted instanceof HttpError) {
    deps.metrics.rejected(admitted.code);
    request.resume();
    sendError(response, admitted, deps.redactor);
    return;
  }
  const { route, params, url } = admitted;
  try {
    const result = await route.handle({
      request,
      response,
      url,
      params,
      body: () => readJsonBody(request, deps.maxBodyBytes),
    });
    if (result !== undefined) {
      sendJson(response, result.status ?? 200, result.body, result.credential ? unredacted : deps.redactor);
    }
    deps.metrics.http(route.path, response.statusCode);
  } catch (error) {
    const failure = toHttpError(error);
    if (failure.status >= 500) deps.logger.error('request failed', { path: route.path, error });
    if (!response.headersSent) sendError(response, failure, deps.redactor);
    else response.destroy();
    deps.metrics.http(route.path, failure.status);
  }
}

const unredacted: Redactor = {
  text: (text) => text,
  spans: () => [],
  serialize: (value) => JSON.stringify(value),
  longest: 0,
};

/** Refuses an upgrade on the raw socket: a plain HTTP answer, never a 101. */
export function refuseUpgrade(socket: Duplex, error: HttpError, redactor: Redactor): void {
  const body = redactor.serialize({ error: { code: error.code, message: error.message } });
  const headers = [
    `HTTP/1.1 ${error.status} ${statusText(error.status)}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    503: 'Service Unavailable',
  };
  return texts[status] ?? 'Error';
}
