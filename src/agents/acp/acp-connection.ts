/**
 * One ACP v1 client connection to one agent process, serving any number of sessions. It speaks through
 * the official SDK (requests, responses, the agent's requests to us) and keeps the wire in order itself:
 * every line is routed to the session it belongs to (its transcript, its updates) before the SDK acts on
 * it, so a session's updates are all applied when its `session/prompt` response resolves.
 */
import {
  type AnyMessage,
  type ClientConnection,
  client,
  type InitializeResponse,
  methods,
  type NewSessionResponse,
  PROTOCOL_VERSION,
  type ReadTextFileRequest,
  type ReadTextFileResponse,
  RequestError,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type WriteTextFileRequest,
} from '@agentclientprotocol/sdk';
import { isRecord } from '../../support/json-record.js';
import { createLineStream, type LineStream, type LineTransport } from './acp-line-stream.js';
import { rpcErrorOf } from './classify-acp-outcome.js';

/** What one session (one step) handles; the connection routes to it by session id. */
export interface AcpSessionHandlers {
  /** A protocol line of this session: `<<` from the agent, `>>` to it. */
  transcript(direction: '<<' | '>>', line: string): void;
  /** The `update` object of a `session/update` for this session, in wire order. */
  update(update: unknown): void;
  permission(request: RequestPermissionRequest): RequestPermissionResponse;
  readTextFile(request: ReadTextFileRequest): ReadTextFileResponse;
  writeTextFile(request: WriteTextFileRequest): void;
}

export interface AcpConnectionOptions {
  /** Advertise `fs/read_text_file` / `fs/write_text_file` (confined to each session's cwd). */
  fileSystem: boolean;
  /** Auth method to use when `session/new` answers "authentication required"; none means fail then. */
  authMethodId?: string;
}

export interface PromptOutcome {
  stopReason: string;
  /** The raw `result` object of the prompt response (usage and `_meta` as the agent sent them). */
  result: Record<string, unknown>;
}

/** Lines for a session whose `session/new` response has not been read yet. */
const earlyLinesCap = 200;

export class AcpConnection {
  readonly #lines: LineStream;
  readonly #sdk: ClientConnection;
  readonly #options: AcpConnectionOptions;
  readonly #sessions = new Map<string, AcpSessionHandlers>();
  /** JSON-RPC id → handlers of the session the request (or its response) belongs to. */
  readonly #byRequestId = new Map<string, AcpSessionHandlers>();
  readonly #promptIds = new Map<string, string>();
  readonly #promptResults = new Map<string, Record<string, unknown>>();
  readonly #early = new Map<string, Array<{ line: string; message: Record<string, unknown> }>>();
  #creating: AcpSessionHandlers | undefined;
  #newSessionQueue: Promise<unknown> = Promise.resolve();
  #authenticated = false;
  #initialized: InitializeResponse | undefined;

  constructor(transport: LineTransport, options: AcpConnectionOptions) {
    this.#options = options;
    this.#lines = createLineStream(transport, {
      incoming: (line, message) => this.#incoming(line, message),
      outgoing: (message, line) => this.#outgoing(message, line),
    });
    const app = client({ name: 'ai-collab' })
      .onRequest(methods.client.session.requestPermission, ({ params }) =>
        this.#handlers(params.sessionId).permission(params),
      )
      .onRequest(methods.client.fs.readTextFile, ({ params }) =>
        this.#handlers(params.sessionId).readTextFile(params),
      )
      .onRequest(methods.client.fs.writeTextFile, ({ params }) => {
        this.#handlers(params.sessionId).writeTextFile(params);
        return {};
      });
    // session/update is read from the tap, in wire order (see above), so the SDK gets no handler for it
    // and drops the notification; terminal/* and elicitation are answered "method not found".
    this.#sdk = app.connect(this.#lines.stream);
  }

  /** Resolves when the connection closed (the agent's output ended, or `close`). */
  get closed(): Promise<void> {
    return this.#sdk.closed;
  }

  get initializeResult(): InitializeResponse | undefined {
    return this.#initialized;
  }

  /** One line the agent printed. */
  push(line: string): void {
    this.#lines.push(line);
  }

  /** The agent's output ended: pending requests fail. */
  end(): void {
    this.#lines.end();
  }

  close(): void {
    this.#sdk.close();
  }

  async initialize(): Promise<InitializeResponse> {
    const response = await this.#sdk.agent.request(methods.agent.initialize, {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: {
        fs: { readTextFile: this.#options.fileSystem, writeTextFile: this.#options.fileSystem },
        // Running commands for the agent would need our own sandbox; agents run their tools themselves.
        terminal: false,
      },
      clientInfo: { name: 'ai-collab', version: '0.1.0' },
    });
    if (response.protocolVersion !== PROTOCOL_VERSION) {
      throw new AcpProtocolError(
        `the agent speaks ACP version ${response.protocolVersion}; ai-collab speaks version ${PROTOCOL_VERSION}`,
      );
    }
    this.#initialized = response;
    return response;
  }

  /**
   * `session/new` for `cwd` (absolute), no MCP servers. One at a time per connection: concurrent ones make
   * Gemini CLI back off on a lock (measured: 0.1, 0.2, 0.4 … 3.2 s for six at once; 0.06–0.1 s each in turn).
   */
  openSession(
    cwd: string,
    handlers: AcpSessionHandlers,
    options: { readOnly?: boolean } = {},
  ): Promise<string> {
    const next = this.#newSessionQueue.then(() => this.#openSessionNow(cwd, handlers, options));
    this.#newSessionQueue = next.catch(() => {});
    return next;
  }

  async prompt(sessionId: string, text: string): Promise<PromptOutcome> {
    const response = await this.#sdk.agent.request(methods.agent.session.prompt, {
      sessionId,
      prompt: [{ type: 'text', text }],
    });
    const result = this.#promptResults.get(sessionId) ?? { stopReason: response.stopReason };
    this.#promptResults.delete(sessionId);
    return { stopReason: response.stopReason, result };
  }

  /** `session/cancel`: the agent should end the running prompt with stopReason "cancelled". */
  async cancel(sessionId: string): Promise<void> {
    await this.#sdk.agent.notify(methods.agent.session.cancel, { sessionId });
  }

  /** Stops routing a session; closes it on the agent when the agent supports `session/close`. */
  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
    this.#early.delete(sessionId);
    if (this.#initialized?.agentCapabilities?.sessionCapabilities?.close && !this.#sdk.signal.aborted) {
      this.#sdk.agent.request(methods.agent.session.close, { sessionId }).catch(() => {});
    }
  }

  async #openSessionNow(
    cwd: string,
    handlers: AcpSessionHandlers,
    options: { readOnly?: boolean },
  ): Promise<string> {
    this.#creating = handlers;
    try {
      let response: NewSessionResponse;
      try {
        response = await this.#newSessionRequest(cwd);
      } catch (error) {
        if (!(await this.#authenticateAfter(error))) throw error;
        response = await this.#newSessionRequest(cwd);
      }
      this.#register(response.sessionId, handlers);
      const mode = options.readOnly ? readOnlyMode(response.modes) : undefined;
      if (mode !== undefined) {
        await this.#sdk.agent.request(methods.agent.session.setMode, {
          sessionId: response.sessionId,
          modeId: mode,
        });
      }
      return response.sessionId;
    } finally {
      this.#creating = undefined;
      this.#early.clear();
    }
  }

  #newSessionRequest(cwd: string): Promise<NewSessionResponse> {
    return this.#sdk.agent.request(methods.agent.session.new, { cwd, mcpServers: [] });
  }

  /** Authenticates once when the agent asked for it and a method is configured; false when it cannot. */
  async #authenticateAfter(error: unknown): Promise<boolean> {
    const methodId = this.#options.authMethodId;
    if (rpcErrorOf(error)?.code !== -32000 || !methodId || this.#authenticated) return false;
    await this.#sdk.agent.request(methods.agent.authenticate, { methodId });
    this.#authenticated = true;
    return true;
  }

  #register(sessionId: string, handlers: AcpSessionHandlers): void {
    this.#sessions.set(sessionId, handlers);
    const early = this.#early.get(sessionId) ?? [];
    this.#early.delete(sessionId);
    for (const { line, message } of early) this.#route(handlers, line, message);
  }

  #handlers(sessionId: string): AcpSessionHandlers {
    const handlers = this.#sessions.get(sessionId);
    if (!handlers) throw RequestError.sessionNotFound(sessionId);
    return handlers;
  }

  #incoming(line: string, message: Record<string, unknown> | undefined): void {
    if (!message) return;
    const id = 'id' in message ? String(message.id) : undefined;
    const params = isRecord(message.params) ? message.params : undefined;
    const sessionId = typeof params?.sessionId === 'string' ? params.sessionId : undefined;
    if (id !== undefined && !('method' in message)) {
      // A response to one of our requests.
      const owner = this.#byRequestId.get(id);
      this.#byRequestId.delete(id);
      const promptSession = this.#promptIds.get(id);
      if (promptSession !== undefined) {
        this.#promptIds.delete(id);
        if (isRecord(message.result)) this.#promptResults.set(promptSession, message.result);
      }
      owner?.transcript('<<', line);
      return;
    }
    if (sessionId === undefined) return;
    const handlers = this.#sessions.get(sessionId);
    if (!handlers) {
      // Only a session being created can be unknown yet (creation is serialised); others are gone.
      if (!this.#creating) return;
      const early = this.#early.get(sessionId) ?? [];
      if (early.length < earlyLinesCap) early.push({ line, message });
      this.#early.set(sessionId, early);
      return;
    }
    if (id !== undefined) this.#byRequestId.set(`in:${id}`, handlers);
    this.#route(handlers, line, message);
  }

  #route(handlers: AcpSessionHandlers, line: string, message: Record<string, unknown>): void {
    handlers.transcript('<<', line);
    if (message.method === methods.client.session.update && isRecord(message.params)) {
      handlers.update(message.params.update);
    }
  }

  #outgoing(message: AnyMessage, line: string): void {
    const id = 'id' in message && message.id !== null ? String(message.id) : undefined;
    if (!('method' in message)) {
      // Our response to one of the agent's requests.
      const owner = id === undefined ? undefined : this.#byRequestId.get(`in:${id}`);
      if (id !== undefined) this.#byRequestId.delete(`in:${id}`);
      owner?.transcript('>>', line);
      return;
    }
    const params = isRecord(message.params) ? message.params : undefined;
    const sessionId = typeof params?.sessionId === 'string' ? params.sessionId : undefined;
    const owner =
      message.method === methods.agent.session.new
        ? this.#creating
        : sessionId === undefined
          ? undefined
          : this.#sessions.get(sessionId);
    if (id !== undefined && owner) this.#byRequestId.set(id, owner);
    if (id !== undefined && message.method === methods.agent.session.prompt && sessionId !== undefined) {
      this.#promptIds.set(id, sessionId);
    }
    owner?.transcript('>>', line);
  }
}

export class AcpProtocolError extends Error {
  override readonly name = 'AcpProtocolError';
}

/**
 * The session mode in which an agent only reads, when it offers one: Claude Code's `plan` (through
 * claude-agent-acp), or a mode named read-only. An agent that does not ask before writing (its
 * permissions come from its own configuration) is held to reading by this mode.
 */
export function readOnlyMode(modes: NewSessionResponse['modes']): string | undefined {
  const available = modes?.availableModes ?? [];
  const found = available.find((mode) => /^(plan|read[-_ ]?only)$/i.test(mode.id));
  if (found === undefined || found.id === modes?.currentModeId) return undefined;
  return found.id;
}
