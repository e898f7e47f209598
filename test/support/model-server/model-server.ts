import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessagesApi } from './anthropic-messages-api.js';
import { type ModelRequest, summarise } from './conversation.js';
import { geminiApi, geminiMethod } from './gemini-api.js';
import { isRecord, parseBody } from './json.js';
import { openaiChatApi } from './openai-chat-api.js';
import { openaiResponsesApi } from './openai-responses-api.js';
import { type RateLimitOptions, RequestBucket } from './rate-limit.js';
import { redactHeaders, redactPath } from './redact-headers.js';
import { type Script, type ScriptOptions, ScriptRunner } from './script.js';
import { formatSse } from './sse.js';
import type { ErrorTurn, MalformedTurn, Turn } from './turns.js';
import { IdSource, type Reply, type RequestView, type WireApi } from './wire-api.js';

export interface RecordedRequest {
  /** Position among every request the server received, probes included, from 0. */
  seq: number;
  /** Epoch milliseconds when the request's body had arrived. */
  receivedAt: number;
  method: string;
  /** Path with query string (an API key in `?key=` is masked). */
  path: string;
  /** Headers with credentials masked (`x-api-key`, `authorization`, `x-goog-api-key`, …). */
  headers: Record<string, string>;
  body: unknown;
  /** Set for model calls: the request as the script saw it. */
  model?: ModelRequest;
  /** What was answered: the HTTP status, the kind of turn for model calls, and a rate limit's wait. */
  answer?: { status: number; turn?: Turn['kind']; retryAfterMs?: number };
  /** Epoch milliseconds when a model call's answer started, after any scripted delay. */
  answeredAt?: number;
  /** Epoch milliseconds when the connection closed before the whole answer was sent (a killed CLI, a broken stream). */
  abandonedAt?: number;
}

export interface ModelServerOptions extends ScriptOptions {
  script: Script;
  /** Latency added before every model answer (a turn's own `delayMs` replaces it). */
  latencyMs?: number;
  /** A provider's request limit: model calls beyond it are answered 429 with retry-after. */
  rateLimit?: RateLimitOptions;
}

export interface ModelServer {
  /** `http://127.0.0.1:PORT`, with no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order; live (it grows while CLIs run). */
  readonly requests: readonly RecordedRequest[];
  /** Only the model calls (Messages, Responses, Chat, Gemini), in order. */
  modelRequests(): ModelRequest[];
  /** Queued turns not yet used. */
  readonly remainingTurns: number;
  /** Model calls answered 429 by `rateLimit` (scripted 429 turns are not counted). */
  readonly rateLimited: number;
  close(): Promise<void>;
}

const defaultErrorMessages: Record<number, string> = {
  429: 'Rate limited by the scripted model server',
  500: 'Internal error from the scripted model server',
  503: 'Service unavailable (scripted)',
  529: 'Overloaded (scripted)',
};

function route(method: string, path: string): WireApi | 'count-tokens' | 'models' | undefined {
  const pathname = path.split('?')[0] ?? '';
  if (method === 'POST') {
    if (pathname.endsWith('/messages/count_tokens')) return 'count-tokens';
    if (pathname.endsWith('/messages')) return anthropicMessagesApi;
    if (pathname.endsWith('/responses')) return openaiResponsesApi;
    if (pathname.endsWith('/chat/completions')) return openaiChatApi;
    const gemini = geminiMethod(pathname);
    if (gemini?.method === 'countTokens') return 'count-tokens';
    if (gemini?.method === 'generateContent' || gemini?.method === 'streamGenerateContent') return geminiApi;
  }
  if (method === 'GET' && pathname.endsWith('/models')) return 'models';
  return undefined;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, api: WireApi, turn: ErrorTurn): void {
  const headers: Record<string, string> = {};
  if (turn.retryAfter !== undefined) headers['retry-after'] = turn.retryAfter;
  if (turn.retryAfterMs !== undefined) headers['retry-after-ms'] = turn.retryAfterMs;
  const message = turn.message ?? defaultErrorMessages[turn.status] ?? `Scripted error ${turn.status}`;
  const body = api.errorBody(turn.status, message);
  sendJson(response, turn.status, withErrorFields(body, turn.errorFields), headers);
}

function withErrorFields(body: unknown, fields: Record<string, unknown> | undefined): unknown {
  if (fields === undefined || !isRecord(body) || !isRecord(body.error)) return body;
  return { ...body, error: { ...body.error, ...fields } };
}

function sendReply(
  response: ServerResponse,
  api: WireApi,
  reply: Reply,
  view: RequestView,
  ids: IdSource,
): void {
  if (!view.stream) {
    sendJson(response, 200, api.jsonReply(reply, view, ids));
    return;
  }
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (const event of api.streamReply(reply, view, ids)) response.write(formatSse(event));
  response.end();
}

function sendMalformed(
  response: ServerResponse,
  api: WireApi,
  turn: MalformedTurn,
  view: RequestView,
  ids: IdSource,
): void {
  const contentType = view.stream ? 'text/event-stream' : 'application/json';
  if (turn.variant === 'invalid-json') {
    response.writeHead(200, { 'content-type': contentType });
    const first = view.stream ? api.streamReply({ text: 'x', calls: [] }, view, ids)[0]?.event : undefined;
    response.end(
      view.stream
        ? `${first === undefined ? '' : `event: ${first}\n`}data: {"type": not json\n\n`
        : '{"id": "broken", ',
    );
    return;
  }
  if (turn.variant === 'not-sse') {
    response.writeHead(200, { 'content-type': contentType });
    response.end('<html><body>this is not what the client asked for</body></html>\n');
    return;
  }
  // truncated-stream: half the answer, then the connection is reset, as when a proxy drops it.
  const reply: Reply = { text: 'This answer is cut off before it ends.', calls: [] };
  if (view.stream) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const events = api.streamReply(reply, view, ids);
    for (const event of events.slice(0, Math.max(1, Math.floor(events.length / 2))))
      response.write(formatSse(event));
  } else {
    const text = JSON.stringify(api.jsonReply(reply, view, ids));
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.write(text.slice(0, Math.floor(text.length / 2)));
  }
  setTimeout(() => response.socket?.destroy(), 50);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function wait(ms: number): Promise<void> {
  // Unref'd: a long scripted delay (a turn the test cancels) must not keep the test process alive once the
  // server is closed; while the server listens, its handle keeps the process up anyway.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Starts the scripted model server on 127.0.0.1 with an ephemeral port. */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const runner = new ScriptRunner(options.script, options);
  const ids = new IdSource();
  const requests: RecordedRequest[] = [];
  let modelIndex = 0;
  const bucket = options.rateLimit ? new RequestBucket(options.rateLimit) : undefined;
  let rateLimited = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const record: RecordedRequest = {
      seq: requests.length,
      receivedAt: Date.now(),
      method,
      path: redactPath(path),
      headers: redactHeaders(request.headers),
      body: parseBody(text),
    };
    requests.push(record);
    response.once('close', () => {
      if (!response.writableFinished) record.abandonedAt = Date.now();
    });
    const target = route(method, path);
    if (method === 'HEAD' || (method === 'GET' && (path === '/' || path === ''))) {
      // Connectivity probes (claude sends `HEAD /` before its first call): any 2xx will do.
      record.answer = { status: 200 };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(method === 'HEAD' ? undefined : '{"ok":true}');
      return;
    }
    if (target === undefined) {
      record.answer = { status: 404 };
      sendJson(response, 404, {
        error: { message: `scripted model server: no route for ${method} ${path}` },
      });
      return;
    }
    if (target === 'models') {
      record.answer = { status: 200 };
      const model = {
        id: 'scripted-model',
        object: 'model',
        type: 'model',
        display_name: 'Scripted',
        created: 0,
        created_at: '2024-01-01T00:00:00Z',
        owned_by: 'scripted',
      };
      sendJson(response, 200, {
        object: 'list',
        data: [model],
        has_more: false,
        first_id: model.id,
        last_id: model.id,
      });
      return;
    }
    if (target === 'count-tokens') {
      record.answer = { status: 200 };
      const tokens = Math.ceil(text.length / 4);
      sendJson(response, 200, { input_tokens: tokens, totalTokens: tokens });
      return;
    }
    const admitted = bucket?.take() ?? { ok: true };
    if (!admitted.ok) {
      rateLimited++;
      record.answer = { status: 429, retryAfterMs: admitted.retryAfterMs };
      sendError(response, target, {
        kind: 'error',
        status: 429,
        retryAfter: String(Math.ceil(admitted.retryAfterMs / 1_000)),
        retryAfterMs: String(admitted.retryAfterMs),
      });
      return;
    }
    const view = target.read(record.body, path);
    const model: ModelRequest = {
      index: modelIndex++,
      api: target.kind,
      ...view,
      ...summarise(view.messages),
      body: record.body,
    };
    record.model = model;
    const turn = runner.turnFor(model, { kind: 'text', text: target.auxiliaryText(view) });
    const delayMs = turn.delayMs ?? options.latencyMs ?? 0;
    if (delayMs > 0) await wait(delayMs);
    if (response.destroyed) return;
    record.answeredAt = Date.now();
    if (turn.kind === 'error') {
      record.answer = { status: turn.status, turn: turn.kind };
      sendError(response, target, turn);
    } else if (turn.kind === 'malformed') {
      record.answer = { status: 200, turn: turn.kind };
      sendMalformed(response, target, turn, view, ids);
    } else {
      record.answer = { status: 200, turn: turn.kind };
      const reply: Reply =
        turn.kind === 'text' ? { text: turn.text, calls: [] } : { text: turn.text ?? '', calls: turn.calls };
      sendReply(response, target, reply, view, ids);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A bug in a script or in this server must show up in the test, not as a hung client.
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent)
        sendJson(response, 400, { error: { message: `scripted model server: ${message}` } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    modelRequests: () => requests.flatMap((request) => (request.model === undefined ? [] : [request.model])),
    get remainingTurns() {
      return runner.remaining;
    },
    get rateLimited() {
      return rateLimited;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
