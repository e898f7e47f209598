/**
 * The checks every request and upgrade passes before any handler runs, in this order: Host allow list
 * (DNS rebinding), no credentials in the URL, Origin allow list (cross-site requests and WebSocket
 * hijacking; a missing Origin fails closed on state-changing routes and upgrades), then the token.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../http/http-io.js';
import { tokenSubprotocolPrefix } from '../stream/stream-protocol.js';
import { tokensEqual } from './token.js';

/** Who may call a route: holders of the token, anyone (dashboard assets), or a one-time login code. */
export type Access = 'token' | 'public' | 'login';

export interface RouteAccess {
  access: Access;
  /** POST and upgrades: a browser could be made to send them cross-site, so Origin is required. */
  stateChanging: boolean;
  upgrade: boolean;
  /** Called by programs that send no Origin; the token must then come in the Authorization header. */
  programmatic?: boolean;
}

export interface AccessPolicy {
  /** `host:port`, lower case. */
  hosts: ReadonlySet<string>;
  /** `scheme://host:port`, lower case. */
  origins: ReadonlySet<string>;
  token: string;
}

/** Query parameters that look like credentials are refused outright: a token never belongs in a URL. */
const credentialParameter = /token|auth|key|secret|password|session|login|code/i;

export function buildAccessPolicy(
  port: number,
  extraHosts: readonly string[],
  extraOrigins: readonly string[],
  token: string,
): AccessPolicy {
  const names = ['127.0.0.1', 'localhost', '[::1]', ...extraHosts.map(bracketIpv6)];
  const hosts = new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
  const origins = new Set([
    ...[...hosts].map((host) => `http://${host}`),
    ...extraOrigins.map((origin) => origin.toLowerCase()),
  ]);
  return { hosts, origins, token };
}

function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The reason to refuse the request, or undefined when it may proceed to its route. */
export function checkAccess(
  policy: AccessPolicy,
  headers: IncomingHttpHeaders,
  url: URL,
  route: RouteAccess,
): HttpError | undefined {
  const host = headers.host?.toLowerCase();
  if (!host || !policy.hosts.has(host)) {
    return new HttpError(403, 'HOST_NOT_ALLOWED', 'this server answers only to its own loopback address');
  }
  for (const name of url.searchParams.keys()) {
    if (credentialParameter.test(name)) {
      return new HttpError(
        401,
        'TOKEN_IN_URL',
        'credentials are never accepted in the URL; send Authorization: Bearer <token>',
      );
    }
  }
  const origin = headers.origin;
  if (origin !== undefined && !policy.origins.has(origin.toLowerCase())) {
    return new HttpError(403, 'ORIGIN_NOT_ALLOWED', `requests from ${clip(origin)} are not allowed`);
  }
  // Programs (MCP clients) send no Origin; they still need the token, and only in the Authorization
  // header, which a cross-site browser request cannot carry without a CORS preflight this server refuses.
  if (origin === undefined && (route.stateChanging || route.upgrade) && route.programmatic !== true) {
    return new HttpError(
      403,
      'ORIGIN_REQUIRED',
      "this request changes state or opens a stream, so it must carry an Origin header naming this server (scripts: send the server's own URL)",
    );
  }
  if (route.access !== 'token') return undefined;
  const presented = credentials(headers, route.upgrade);
  if (presented.length === 0) {
    return new HttpError(401, 'TOKEN_REQUIRED', 'send Authorization: Bearer <token> (see server.json)', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  // Every credential presented must be right; evaluate all of them so timing does not tell which failed.
  const verdicts = presented.map((candidate) => tokensEqual(candidate, policy.token));
  if (!verdicts.every(Boolean)) {
    return new HttpError(401, 'TOKEN_INVALID', 'the token is not valid for this server', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  return undefined;
}

function credentials(headers: IncomingHttpHeaders, upgrade: boolean): string[] {
  const found: string[] = [];
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    found.push(match?.[1] ?? '');
  }
  if (upgrade) {
    for (const protocol of (headers['sec-websocket-protocol'] ?? '').split(',')) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(tokenSubprotocolPrefix))
        found.push(trimmed.slice(tokenSubprotocolPrefix.length));
    }
  }
  return found;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
