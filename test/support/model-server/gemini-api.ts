import type { AdvertisedTool, ConversationMessage } from './conversation.js';
import { asArray, asRecord, asString, isRecord, type JsonRecord } from './json.js';
import type { SseEvent } from './sse.js';
import {
  argumentsObject,
  argumentsText,
  type Reply,
  type RequestView,
  textChunks,
  tokenCount,
  type WireApi,
} from './wire-api.js';

// Gemini API (POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse), as the
// gemini CLI calls it through GOOGLE_GEMINI_BASE_URL. Each SSE `data:` line is a whole
// GenerateContentResponse; the last one carries finishReason and usageMetadata.

const pathPattern = /\/models\/([^/:]+):(\w+)/;

export function geminiMethod(path: string): { model: string; method: string } | undefined {
  const match = pathPattern.exec(path);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { model: decodeURIComponent(match[1]), method: match[2] };
}

function readContent(raw: unknown): ConversationMessage {
  const content = asRecord(raw);
  const message: ConversationMessage = {
    role: content.role === 'model' ? 'assistant' : 'user',
    text: '',
    toolCalls: [],
    toolResults: [],
  };
  const texts: string[] = [];
  for (const rawPart of asArray(content.parts)) {
    const part = asRecord(rawPart);
    if (typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
    if (isRecord(part.functionCall)) {
      const call = part.functionCall;
      message.toolCalls.push({ id: asString(call.id), name: asString(call.name), input: call.args });
    }
    if (isRecord(part.functionResponse)) {
      const result = part.functionResponse;
      const response = asRecord(result.response);
      const isError = response.error !== undefined;
      const output = typeof response.output === 'string' ? response.output : JSON.stringify(response);
      message.toolResults.push({ id: asString(result.id), name: asString(result.name), output, isError });
    }
  }
  message.text = texts.join('');
  return message;
}

function systemText(raw: unknown): string {
  return asArray(asRecord(raw).parts)
    .map((part) => asString(asRecord(part).text))
    .join('\n');
}

function parts(reply: Reply): JsonRecord[] {
  const result: JsonRecord[] = [];
  if (reply.text !== '') result.push({ text: reply.text });
  for (const call of reply.calls)
    result.push({ functionCall: { name: call.name, args: argumentsObject(call) } });
  return result;
}

function usageMetadata(reply: Reply): JsonRecord {
  const candidates = tokenCount(reply.text + reply.calls.map(argumentsText).join(''));
  return { promptTokenCount: 10, candidatesTokenCount: candidates, totalTokenCount: 10 + candidates };
}

function candidate(content: JsonRecord[], finishReason?: string): JsonRecord {
  return {
    content: { role: 'model', parts: content },
    index: 0,
    ...(finishReason === undefined ? {} : { finishReason }),
  };
}

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const geminiApi: WireApi = {
  kind: 'gemini',

  read(body, path) {
    const request = asRecord(body);
    const method = geminiMethod(path);
    const messages = asArray(request.contents).map(readContent);
    const system = systemText(request.systemInstruction);
    if (system !== '') messages.unshift({ role: 'system', text: system, toolCalls: [], toolResults: [] });
    const tools: AdvertisedTool[] = asArray(request.tools).flatMap((tool) =>
      asArray(asRecord(tool).functionDeclarations).map((fn) => ({
        name: asString(asRecord(fn).name),
        type: 'function' as const,
      })),
    );
    const config = asRecord(request.generationConfig);
    // The CLI's side calls (next-speaker check, loop detection, model routing) ask for JSON output
    // through generateContent without tools; the conversation streams with tools.
    const wantsJson =
      config.responseMimeType === 'application/json' || config.responseJsonSchema !== undefined;
    return {
      model: method?.model ?? '',
      stream: method?.method === 'streamGenerateContent',
      tools,
      messages,
      auxiliary: tools.length === 0 && (wantsJson || method?.method !== 'streamGenerateContent'),
    };
  },

  streamReply(reply, view) {
    const extra = { modelVersion: view.model, responseId: 'scripted' };
    const pieces = reply.text === '' ? [] : textChunks(reply.text);
    // The last chunk carries the final text piece with the calls: a chunk with no parts at all reads
    // as an empty answer to the CLI.
    const last = pieces.pop();
    const events: SseEvent[] = pieces.map((piece) => ({
      data: { candidates: [candidate([{ text: piece }])], ...extra },
    }));
    const final = parts({ text: last ?? '', calls: reply.calls });
    events.push({
      data: { candidates: [candidate(final, 'STOP')], usageMetadata: usageMetadata(reply), ...extra },
    });
    return events;
  },

  jsonReply(reply, view) {
    return {
      candidates: [candidate(parts(reply), 'STOP')],
      usageMetadata: usageMetadata(reply),
      modelVersion: view.model,
      responseId: 'scripted',
    };
  },

  errorBody(status, message) {
    return { error: { code: status, message, status: statusNames[status] ?? 'UNKNOWN' } };
  },

  auxiliaryText(view: RequestView) {
    // Every side call the CLI makes reads a small JSON object; one object satisfies all of them:
    // next-speaker check (`next_speaker`), loop detection (`unproductive_state_confidence`), and the
    // model router used with `-m auto` (`complexity_*`, `model_choice`).
    const answer = {
      reasoning: 'scripted',
      next_speaker: 'user',
      unproductive_state_confidence: 0,
      complexity_reasoning: 'scripted',
      complexity_score: 1,
      model_choice: 'flash',
    };
    return view.tools.length === 0 ? JSON.stringify(answer) : 'scripted';
  },
};
