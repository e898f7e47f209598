// A scriptable ACP v1 agent built with the official SDK's agent side, for protocol tests: in process
// (connected to an AcpConnection through an in-memory line pipe), or as a real child process
// (fake-acp-agent-main.ts) for the process-level tests.
import {
  type AgentApp,
  type AgentContext,
  agent,
  methods,
  PROTOCOL_VERSION,
  type PromptResponse,
  RequestError,
  type SessionUpdate,
} from '@agentclientprotocol/sdk';
import { AcpConnection, type AcpConnectionOptions } from '../../../../src/agents/acp/acp-connection.js';
import { createLineStream } from '../../../../src/agents/acp/acp-line-stream.js';

export interface PromptContext {
  sessionId: string;
  cwd: string;
  text: string;
  /** The session's mode (`session/set_mode`), when the agent offers modes. */
  mode: string | undefined;
  client: AgentContext;
  /** Resolves when the client sends session/cancel for this session. */
  cancelled: Promise<void>;
  update(update: SessionUpdate): Promise<void>;
}

export interface FakeAgentOptions {
  /** session/new answers -32000 until `authenticate` was called with this method. */
  requireAuth?: string;
  /** Advertise session/close. */
  closeCapability?: boolean;
  /** session/new takes this long (to see whether the client sends them one at a time). */
  newSessionDelayMs?: number;
  /** Session modes offered on session/new (Claude Code's: default, plan, bypassPermissions), and the first. */
  modes?: { current: string; available: string[] };
  onPrompt(context: PromptContext): Promise<PromptResponse>;
}

export interface FakeAgentLog {
  initialize: unknown[];
  /** Most session/new requests in progress at once. */
  maxConcurrentNew: number;
  sessions: Array<{ sessionId: string; cwd: string; mcpServers: unknown[] }>;
  /** session/set_mode requests, as `sessionId=modeId`. */
  modeChanges: string[];
  authenticated: string[];
  cancelled: string[];
  closed: string[];
}

export function fakeAgent(options: FakeAgentOptions): { app: AgentApp; log: FakeAgentLog } {
  const log: FakeAgentLog = {
    initialize: [],
    maxConcurrentNew: 0,
    sessions: [],
    modeChanges: [],
    authenticated: [],
    cancelled: [],
    closed: [],
  };
  let creating = 0;
  const cwds = new Map<string, string>();
  const modes = new Map<string, string>();
  const cancels = new Map<string, () => void>();
  let counter = 0;
  const app = agent({ name: 'fake-acp-agent' })
    .onRequest(methods.agent.initialize, ({ params }) => {
      log.initialize.push(params);
      return {
        protocolVersion: PROTOCOL_VERSION,
        agentCapabilities: {
          loadSession: false,
          ...(options.closeCapability && { sessionCapabilities: { close: {} } }),
        },
        authMethods: options.requireAuth ? [{ id: options.requireAuth, name: 'Test key' }] : [],
        agentInfo: { name: 'fake-acp-agent', version: '1.0.0' },
      };
    })
    .onRequest(methods.agent.authenticate, ({ params }) => {
      log.authenticated.push(params.methodId);
      return {};
    })
    .onRequest(methods.agent.session.new, async ({ params }) => {
      if (options.requireAuth && !log.authenticated.includes(options.requireAuth)) {
        throw RequestError.authRequired();
      }
      creating++;
      log.maxConcurrentNew = Math.max(log.maxConcurrentNew, creating);
      if (options.newSessionDelayMs)
        await new Promise((resolve) => setTimeout(resolve, options.newSessionDelayMs));
      creating--;
      counter++;
      const sessionId = `sess-${counter}`;
      cwds.set(sessionId, params.cwd);
      log.sessions.push({ sessionId, cwd: params.cwd, mcpServers: params.mcpServers });
      if (!options.modes) return { sessionId };
      modes.set(sessionId, options.modes.current);
      return {
        sessionId,
        modes: {
          currentModeId: options.modes.current,
          availableModes: options.modes.available.map((id) => ({ id, name: id })),
        },
      };
    })
    .onRequest(methods.agent.session.setMode, ({ params }) => {
      log.modeChanges.push(`${params.sessionId}=${params.modeId}`);
      modes.set(params.sessionId, params.modeId);
      return {};
    })
    .onRequest(methods.agent.session.close, ({ params }) => {
      log.closed.push(params.sessionId);
      return {};
    })
    .onRequest(methods.agent.session.prompt, async ({ params, client }) => {
      const cancelled = new Promise<void>((resolve) => cancels.set(params.sessionId, resolve));
      const text = params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return options.onPrompt({
        sessionId: params.sessionId,
        cwd: cwds.get(params.sessionId) ?? '',
        text,
        mode: modes.get(params.sessionId),
        client,
        cancelled,
        update: (update) =>
          client.notify(methods.client.session.update, { sessionId: params.sessionId, update }),
      });
    })
    .onNotification(methods.agent.session.cancel, ({ params }) => {
      log.cancelled.push(params.sessionId);
      cancels.get(params.sessionId)?.();
    });
  return { app, log };
}

/** An AcpConnection talking to `app` through an in-memory line pipe (each line delivered asynchronously). */
export function connectInProcess(app: AgentApp, options: AcpConnectionOptions = { fileSystem: true }) {
  const wire: string[] = [];
  const connectionHolder: { connection?: AcpConnection } = {};
  const agentSide = createLineStream(
    {
      writeLine: (line) => {
        wire.push(`<< ${line}`);
        setImmediate(() => connectionHolder.connection?.push(line));
        return true;
      },
    },
    { incoming: () => {}, outgoing: () => {} },
  );
  const connection = new AcpConnection(
    {
      writeLine: (line) => {
        wire.push(`>> ${line}`);
        setImmediate(() => agentSide.push(line));
        return true;
      },
    },
    options,
  );
  connectionHolder.connection = connection;
  const agentConnection = app.connect(agentSide.stream);
  return {
    connection,
    wire,
    close() {
      connection.close();
      agentConnection.close();
    },
  };
}
