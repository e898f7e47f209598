/**
 * The route table. Every route names its access class, so the request policy runs before any handler,
 * and tests enumerate this table to prove that no route skips the checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access } from '../security/request-policy.js';

export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  params: Readonly<Record<string, string>>;
  /** The JSON body (size-capped); `{}` when empty. */
  body(): Promise<unknown>;
}

/**
 * A JSON answer, or `undefined` when the handler wrote the response itself. `credential` marks the one
 * kind of answer that is not redacted: a credential handed to the caller who proved the right to it.
 */
export type RouteResult = { status?: number; body: unknown; credential?: true } | undefined;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** `/api/runs/:runId`; a final `*` matches the rest of the path. */
  path: string;
  access: Access;
  /** Query parameters the route reads; any other is refused. */
  query?: readonly string[];
  /**
   * Called by programs (MCP clients) that send no Origin: a missing Origin is allowed when the request
   * carries an Authorization header, which a cross-site browser request cannot send without a CORS
   * preflight this server never grants.
   */
  programmatic?: true;
  /** The WebSocket endpoint: served by the upgrade handler, answered 426 to plain requests. */
  upgrade?: boolean;
  handle(context: RouteContext): Promise<RouteResult> | RouteResult;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export class Router {
  readonly routes: readonly Route[];

  constructor(routes: readonly Route[]) {
    this.routes = routes;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchPath(route.path, path);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = path.split('/');
  const params: Record<string, string> = {};
  for (let index = 0; index < expected.length; index++) {
    const part = expected[index] as string;
    const value = actual[index];
    if (part === '*') {
      params['*'] = actual.slice(index).join('/');
      return params;
    }
    if (value === undefined) return undefined;
    if (part.startsWith(':')) {
      const decoded = safeDecode(value);
      if (decoded === undefined || decoded === '' || decoded.includes('/')) return undefined;
      params[part.slice(1)] = decoded;
    } else if (part !== value) return undefined;
  }
  return actual.length === expected.length ? params : undefined;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
