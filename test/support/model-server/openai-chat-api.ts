import type { AdvertisedTool, ConversationMessage } from './conversation.js';
import { asArray, asRecord, asString, isRecord, type JsonRecord } from './json.js';
import type { SseEvent } from './sse.js';
import {
  argumentsText,
  type IdSource,
  type Reply,
  textChunks,
  tokenCount,
  type WireApi,
} from './wire-api.js';

// OpenAI Chat Completions (POST /v1/chat/completions), the wire of most OpenAI-compatible endpoints.
// The stream is `data:` lines of chat.completion.chunk objects ending with `data: [DONE]`.

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => (isRecord(part) ? asString(part.text) : ''))
    .filter((part) => part !== '')
    .join('\n');
}

function readMessages(raw: unknown): ConversationMessage[] {
  const names = new Map<string, string>();
  return asArray(raw).map((entry): ConversationMessage => {
    const message = asRecord(entry);
    const text = contentText(message.content);
    if (message.role === 'tool') {
      const id = asString(message.tool_call_id);
      return {
        role: 'user',
        text: '',
        toolCalls: [],
        toolResults: [{ id, name: names.get(id) ?? '', output: text, isError: false }],
      };
    }
    if (message.role === 'assistant') {
      const toolCalls = asArray(message.tool_calls).map((rawCall) => {
        const call = asRecord(rawCall);
        const fn = asRecord(call.function);
        const id = asString(call.id);
        names.set(id, asString(fn.name));
        let input: unknown = asString(fn.arguments);
        try {
          input = JSON.parse(asString(fn.arguments)) as unknown;
        } catch {
          // Kept as text: a model may send arguments that are not JSON, and the script may want to see them.
        }
        return { id, name: asString(fn.name), input };
      });
      return { role: 'assistant', text, toolCalls, toolResults: [] };
    }
    return { role: message.role === 'user' ? 'user' : 'system', text, toolCalls: [], toolResults: [] };
  });
}

function toolCallsOf(reply: Reply, ids: IdSource): JsonRecord[] {
  return reply.calls.map((call, index) => ({
    index,
    id: ids.next('call_scripted_'),
    type: 'function',
    function: { name: call.name, arguments: argumentsText(call) },
  }));
}

function usage(reply: Reply): JsonRecord {
  const completion = tokenCount(reply.text + reply.calls.map(argumentsText).join(''));
  return { prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion };
}

export const openaiChatApi: WireApi = {
  kind: 'openai-chat',

  read(body) {
    const request = asRecord(body);
    const tools: AdvertisedTool[] = asArray(request.tools).map((tool) => ({
      name: asString(asRecord(asRecord(tool).function).name),
      type: 'function',
    }));
    return {
      model: asString(request.model),
      stream: request.stream === true,
      tools,
      messages: readMessages(request.messages),
      auxiliary: false,
    };
  },

  streamReply(reply, view, ids) {
    const id = ids.next('chatcmpl-scripted-');
    const chunk = (delta: JsonRecord, finish: string | null, extra: JsonRecord = {}): SseEvent => ({
      data: {
        id,
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: view.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      },
    });
    const events: SseEvent[] = [chunk({ role: 'assistant', content: '' }, null)];
    if (reply.text !== '')
      for (const piece of textChunks(reply.text)) events.push(chunk({ content: piece }, null));
    const calls = toolCallsOf(reply, ids);
    if (calls.length > 0) events.push(chunk({ tool_calls: calls }, null));
    events.push(chunk({}, calls.length > 0 ? 'tool_calls' : 'stop', { usage: usage(reply) }), {
      data: '[DONE]',
    });
    return events;
  },

  jsonReply(reply, view, ids) {
    const calls = toolCallsOf(reply, ids).map(({ index: _index, ...call }) => call);
    return {
      id: ids.next('chatcmpl-scripted-'),
      object: 'chat.completion',
      created: 1_700_000_000,
      model: view.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.text === '' ? null : reply.text,
            ...(calls.length > 0 ? { tool_calls: calls } : {}),
          },
          finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
      usage: usage(reply),
    };
  },

  errorBody(status, message) {
    const type =
      status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: type } };
  },

  auxiliaryText() {
    return 'scripted';
  },
};
