/**
 * One streamed Chat Completions request at a time against an OpenAI-compatible endpoint, with Node's
 * global fetch: no SDK, so nothing retries behind the engine's back and every byte can be classified.
 * Remembers whether the endpoint accepts `stream_options`, which some compatible servers reject.
 */

import type { ProviderLimiter } from '../../limits/provider-limiter.js';
import type { Clock } from '../../support/clock.js';
import type { ModelEndpointSpec } from '../adapter-descriptor.js';
import type { StepFailure } from '../agent.js';
import { stoppedFailure } from '../agent-results.js';
import { ChatProtocolError } from './chat-stream-accumulator.js';
import { requestSummary, streamHandlers, urlForTranscript } from './chat-transcript.js';
import type { ChatCompletion, ChatMessage, ChatToolDefinition } from './chat-types.js';
import {
  classifyHttpFailure,
  classifyNetworkError,
  classifyStreamError,
  type FailureContext,
} from './classify-chat-failure.js';
import { readCapped, readChatStream } from './read-chat-stream.js';
import { createRedactor, createStreamRedactor, type Redact, type StreamRedactor } from './redact-secret.js';
import { RequestWatchdog } from './request-watchdog.js';
import { SseFramingError } from './sse-parser.js';

/** Where and as whom to ask; `apiKey` is read from the environment by `chatEndpointOf`, never from config. */
export interface ChatEndpoint {
  agent: string;
  baseUrl: string;
  model: string;
  apiKeyEnv: string | undefined;
  apiKey: string | undefined;
}

export interface ChatClientOptions {
  clock: Clock;
  /** Every request waits for a permit of the provider's shared limiter and reports 429s to it. */
  limiter?: ProviderLimiter;
  /** Longest wait for the first byte, and between bytes, before the request is given up. @default 300000 */
  idleTimeoutMs?: number;
}

export interface ChatRequest {
  messages: readonly ChatMessage[];
  tools?: readonly ChatToolDefinition[];
  signal: AbortSignal;
  maxTokens?: number;
  temperature?: number;
  /** Passed through as `response_format` (e.g. `{type: 'json_object'}`). */
  responseFormat?: Record<string, unknown>;
  onText?(text: string): void;
  onUnknownLine?(raw: string): void;
  onWarning?(message: string): void;
  /** Readable transcript text: request summaries and the streamed answer, with the key masked. */
  transcript?(text: string): void;
}

export type ChatOutcome = { ok: true; completion: ChatCompletion } | { ok: false; failure: StepFailure };

type Attempt = ChatOutcome | { ok: false; streamOptionsRejected: true };

/** The endpoint of an `openai` agent spec, with the key from the orchestrator's environment. */
export function chatEndpointOf(
  spec: ModelEndpointSpec,
  environment: Readonly<Record<string, string | undefined>>,
): ChatEndpoint {
  const apiKey = spec.apiKeyEnv ? environment[spec.apiKeyEnv] : undefined;
  return {
    agent: spec.name,
    baseUrl: spec.baseUrl ?? '',
    model: spec.model ?? '',
    apiKeyEnv: spec.apiKeyEnv,
    apiKey: apiKey === '' ? undefined : apiKey,
  };
}

export class ChatClient {
  readonly #endpoint: ChatEndpoint;
  readonly #clock: Clock;
  readonly #idleTimeoutMs: number;
  readonly #limiter: ProviderLimiter | undefined;
  readonly #redact: Redact;
  #streamOptions = true;

  constructor(endpoint: ChatEndpoint, options: ChatClientOptions) {
    this.#endpoint = endpoint;
    this.#clock = options.clock;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.#limiter = options.limiter;
    this.#redact = createRedactor(endpoint.apiKey);
  }

  /** Masks the key in text this client's caller writes down. */
  get redact(): Redact {
    return this.#redact;
  }

  /** Masks the key in text written in pieces, such as a transcript. */
  streamRedactor(): StreamRedactor {
    return createStreamRedactor(this.#endpoint.apiKey);
  }

  async complete(request: ChatRequest): Promise<ChatOutcome> {
    const target = this.#target();
    if ('failure' in target) return { ok: false, failure: target.failure };
    if (request.signal.aborted) return { ok: false, failure: abortedFailure() };
    const { apiKeyEnv, apiKey } = this.#endpoint;
    if (apiKeyEnv && !apiKey) {
      return {
        ok: false,
        failure: {
          code: 'AUTH_FAILED',
          kind: 'permanent',
          message: `${apiKeyEnv} is not set: export ${apiKeyEnv}=<your key> (the key never goes in the config file)`,
        },
      };
    }
    const first = await this.#limitedAttempt(request, target, this.#streamOptions);
    if (!('streamOptionsRejected' in first)) return first;
    this.#streamOptions = false;
    request.onWarning?.(`${target.context.host} rejects stream_options; token usage may be missing`);
    const second = await this.#limitedAttempt(request, target, false);
    return 'streamOptionsRejected' in second
      ? { ok: false, failure: protocolFailure('stream_options was refused twice') }
      : second;
  }

  #target(): { url: string; context: FailureContext } | { failure: StepFailure } {
    let url: URL;
    try {
      url = new URL(`${this.#endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`);
    } catch {
      return {
        failure: {
          code: 'AGENT_UNAVAILABLE',
          kind: 'permanent',
          message: `agent ${this.#endpoint.agent} has no valid baseUrl; set agents.${this.#endpoint.agent}.baseUrl or preset`,
        },
      };
    }
    const context: FailureContext = {
      agent: this.#endpoint.agent,
      host: url.host,
      apiKeyEnv: this.#endpoint.apiKeyEnv,
      now: this.#clock.now(),
    };
    return { url: url.href, context };
  }

  /**
   * One request under the provider's limiter: it waits for a permit (rate, tokens, concurrency), and a 429
   * pauses every caller of the provider until its retry-after. The step's own retry is the engine's.
   */
  async #limitedAttempt(
    request: ChatRequest,
    target: { url: string; context: FailureContext },
    withStreamOptions: boolean,
  ): Promise<Attempt> {
    if (!this.#limiter) return this.#attempt(request, target, withStreamOptions);
    let permit: Awaited<ReturnType<ProviderLimiter['acquire']>>;
    try {
      permit = await this.#limiter.acquire({
        estimatedTokens: estimateTokens(request),
        signal: request.signal,
      });
    } catch {
      return { ok: false, failure: abortedFailure() };
    }
    const attempt = await this.#attempt(request, target, withStreamOptions);
    if (attempt.ok) {
      const usage = attempt.completion.usage;
      permit.succeeded(usage ? usage.promptTokens + usage.completionTokens : undefined);
    } else if ('failure' in attempt && attempt.failure.code === 'RATE_LIMITED') {
      const resetAt = attempt.failure.resetAt;
      permit.rateLimited(resetAt === undefined ? undefined : Math.max(0, resetAt - this.#clock.now()));
    } else {
      permit.failed();
    }
    return attempt;
  }

  async #attempt(
    request: ChatRequest,
    target: { url: string; context: FailureContext },
    withStreamOptions: boolean,
  ): Promise<Attempt> {
    const watchdog = new RequestWatchdog(request.signal, this.#clock, this.#idleTimeoutMs);
    const log = (text: string): void => request.transcript?.(this.#redact(text));
    const { context } = target;
    let phase: 'request' | 'stream' = 'request';
    const startedAt = this.#clock.now();
    try {
      log(
        `→ POST ${urlForTranscript(target.url)} ${requestSummary(request, this.#endpoint.model, withStreamOptions)}\n`,
      );
      const response = await fetch(target.url, {
        method: 'POST',
        headers: this.#headers(),
        body: JSON.stringify(this.#body(request, withStreamOptions)),
        signal: watchdog.signal,
      });
      watchdog.touch();
      const contentType = response.headers.get('content-type') ?? '';
      log(`← ${response.status} ${contentType} after ${this.#clock.now() - startedAt} ms\n`);
      if (!response.ok || response.body === null) {
        return await this.#failedResponse(response, context, withStreamOptions, log);
      }
      phase = 'stream';
      const handlers = streamHandlers(request, log, () => watchdog.touch());
      const outcome = await readChatStream(response.body, contentType, handlers);
      log('\n');
      if (outcome.kind === 'stream-error') {
        log(`[stream error] ${outcome.error.message}\n`);
        return { ok: false, failure: this.#redactFailure(classifyStreamError(outcome.error, context)) };
      }
      if (!outcome.sawDone) request.onWarning?.(`the stream from ${context.host} ended without [DONE]`);
      return { ok: true, completion: outcome.completion };
    } catch (error) {
      if (request.signal.aborted) return { ok: false, failure: abortedFailure() };
      const failure = this.#thrownFailure(error, watchdog.idle, context, phase);
      log(`[failed] ${failure.message}\n`);
      return { ok: false, failure: this.#redactFailure(failure) };
    } finally {
      watchdog.dispose();
    }
  }

  async #failedResponse(
    response: Response,
    context: FailureContext,
    withStreamOptions: boolean,
    log: (text: string) => void,
  ): Promise<Attempt> {
    const text = this.#redact(response.body ? await readErrorBody(response.body) : '');
    if (text !== '') log(`${text}\n`);
    const { status } = response;
    if (
      withStreamOptions &&
      (status === 400 || status === 422) &&
      /stream_options|include_usage/.test(text)
    ) {
      return { ok: false, streamOptionsRejected: true };
    }
    const failure = response.ok
      ? protocolFailure(`${context.host} answered ${status} without a body`)
      : classifyHttpFailure(status, response.headers, text, { ...context, now: this.#clock.now() });
    return { ok: false, failure: this.#redactFailure(failure) };
  }

  #thrownFailure(
    error: unknown,
    idle: boolean,
    context: FailureContext,
    phase: 'request' | 'stream',
  ): StepFailure {
    if (idle) {
      const seconds = Math.round(this.#idleTimeoutMs / 1_000);
      return { code: 'TIMEOUT', kind: 'transient', message: `no data from ${context.host} for ${seconds} s` };
    }
    if (error instanceof ChatProtocolError || error instanceof SseFramingError) {
      return protocolFailure(`${context.host} sent a malformed stream: ${error.message}`);
    }
    return classifyNetworkError(error, context, phase);
  }

  #headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(this.#endpoint.apiKey && { authorization: `Bearer ${this.#endpoint.apiKey}` }),
    };
  }

  #body(request: ChatRequest, withStreamOptions: boolean): Record<string, unknown> {
    const tools = request.tools ?? [];
    return {
      model: this.#endpoint.model,
      messages: request.messages,
      stream: true,
      ...(withStreamOptions && { stream_options: { include_usage: true } }),
      // tool_choice is left out: "auto" is the default when tools are given, and some servers reject the field.
      ...(tools.length > 0 && { tools }),
      ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.responseFormat !== undefined && { response_format: request.responseFormat }),
    };
  }

  #redactFailure(failure: StepFailure): StepFailure {
    return { ...failure, message: this.#redact(failure.message) };
  }
}

/** The start of an error body; the rest is dropped so the connection is not held open for it. */
async function readErrorBody(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  try {
    return await readCapped(reader, 65_536);
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function protocolFailure(message: string): StepFailure {
  return { code: 'PROTOCOL_ERROR', kind: 'transient', message };
}

function abortedFailure(): StepFailure {
  return { ...stoppedFailure };
}

/** Prompt and answer tokens a request may use, for the tokens-per-minute bucket (about 4 characters a token). */
function estimateTokens(request: ChatRequest): number {
  const characters = JSON.stringify(request.messages).length + JSON.stringify(request.tools ?? []).length;
  return Math.ceil(characters / 4) + (request.maxTokens ?? 1_024);
}
