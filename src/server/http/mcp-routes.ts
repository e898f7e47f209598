/**
 * MCP over Streamable HTTP at `/mcp`, behind the same Host, Origin and token checks as every route.
 * Each session gets its own MCP server and transport; a request naming an unknown session is refused
 * with 404 (the client starts a new one), and the number of open sessions is capped.
 */
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../support/logger.js';
import type { ServerActions } from '../server-actions.js';
import { HttpError } from './http-io.js';
import type { Route, RouteContext } from './router.js';

export interface McpSessions {
  routes: Route[];
  /** Closes every open session (the server is stopping). */
  close(): Promise<void>;
}

export function mcpRoutes(
  actions: ServerActions | undefined,
  options: { maxSessions: number; logger: Logger; redact(text: string): string },
): McpSessions {
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  const handle = async ({ request, response, body }: RouteContext): Promise<undefined> => {
    const createServer = actions?.createMcpServer;
    if (!createServer) {
      throw new HttpError(501, 'NOT_AVAILABLE', 'this server was started without MCP');
    }
    const parsed = request.method === 'POST' ? await body() : undefined;
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) {
        throw new HttpError(404, 'MCP_SESSION_UNKNOWN', 'no such MCP session; initialize a new one');
      }
      await transport.handleRequest(request, response, parsed);
      return undefined;
    }
    if (request.method !== 'POST' || !isInitializeRequest(parsed)) {
      throw new HttpError(
        400,
        'MCP_SESSION_REQUIRED',
        'send Mcp-Session-Id, or start a session with an initialize request',
      );
    }
    if (sessions.size >= options.maxSessions) {
      throw new HttpError(503, 'MCP_SESSIONS_FULL', `${options.maxSessions} MCP sessions are open already`);
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const server = createServer({ redact: options.redact });
    await server.connect(transport);
    await transport.handleRequest(request, response, parsed);
    return undefined;
  };

  const route = (method: Route['method']): Route => ({
    method,
    path: '/mcp',
    access: 'token',
    // MCP clients are programs, not browsers: they authenticate with the Authorization header and send
    // no Origin. A foreign Origin is still refused.
    programmatic: true,
    handle,
  });
  return {
    routes: [route('POST'), route('GET'), route('DELETE')],
    close: async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(
        open.map((transport) =>
          transport
            .close()
            .catch((error: unknown) => options.logger.warn('closing an MCP session', { error })),
        ),
      );
    },
  };
}
