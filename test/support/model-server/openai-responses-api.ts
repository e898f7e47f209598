import type { AdvertisedTool, ConversationMessage } from './conversation.js';
import { asArray, asRecord, asString, isRecord, type JsonRecord } from './json.js';
import type { SseEvent } from './sse.js';
import {
  argumentsText,
  type IdSource,
  type Reply,
  type RequestView,
  textChunks,
  tokenCount,
  type WireApi,
} from './wire-api.js';

// OpenAI Responses API (POST /v1/responses), the wire codex uses with `wire_api = "responses"`.
// Stream: response.created, response.in_progress, then per output item output_item.added, its deltas
// and output_item.done, then response.completed carrying every item and the usage. Codex builds its
// history from output_item.done and ends the turn on response.completed.

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => (isRecord(part) ? asString(part.text) : ''))
    .filter((part) => part !== '')
    .join('\n');
}

function outputText(output: unknown): string {
  return typeof output === 'string' ? output : contentText(output);
}

function readItems(input: unknown): ConversationMessage[] {
  if (typeof input === 'string') return [{ role: 'user', text: input, toolCalls: [], toolResults: [] }];
  const names = new Map<string, string>();
  const messages: ConversationMessage[] = [];
  for (const raw of asArray(input)) {
    const item = asRecord(raw);
    const empty = { text: '', toolCalls: [], toolResults: [] };
    if (item.type === 'message' || (item.type === undefined && item.role !== undefined)) {
      const role = item.role === 'assistant' ? 'assistant' : item.role === 'user' ? 'user' : 'system';
      messages.push({ ...empty, role, text: contentText(item.content) });
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      const id = asString(item.call_id);
      const name = asString(item.name);
      names.set(id, name);
      const input = item.type === 'function_call' ? parseArguments(asString(item.arguments)) : item.input;
      messages.push({ ...empty, role: 'assistant', toolCalls: [{ id, name, input }] });
    } else if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
      const id = asString(item.call_id);
      const output = outputText(item.output);
      messages.push({
        ...empty,
        role: 'user',
        toolResults: [{ id, name: names.get(id) ?? '', output, isError: false }],
      });
    }
  }
  return messages;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readTools(tools: unknown): AdvertisedTool[] {
  const read: AdvertisedTool[] = [];
  for (const raw of asArray(tools)) {
    const tool = asRecord(raw);
    if (tool.type === 'namespace') read.push(...readTools(tool.tools));
    else
      read.push({
        name: asString(tool.name, asString(tool.type)),
        type: tool.type === 'custom' ? 'custom' : 'function',
      });
  }
  return read;
}

/** The output items of a reply, finished; `custom` tools get a freeform custom_tool_call. */
function outputItems(reply: Reply, view: RequestView, ids: IdSource): JsonRecord[] {
  const items: JsonRecord[] = [];
  if (reply.text !== '') {
    items.push({
      id: ids.next('msg_scripted_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [] }],
    });
  }
  for (const call of reply.calls) {
    const custom = view.tools.some((tool) => tool.name === call.name && tool.type === 'custom');
    const callId = ids.next('call_scripted_');
    items.push(
      custom
        ? {
            id: ids.next('ctc_scripted_'),
            type: 'custom_tool_call',
            status: 'completed',
            call_id: callId,
            name: call.name,
            input: argumentsText(call),
          }
        : {
            id: ids.next('fc_scripted_'),
            type: 'function_call',
            status: 'completed',
            call_id: callId,
            name: call.name,
            arguments: argumentsText(call),
          },
    );
  }
  return items;
}

function usage(reply: Reply): JsonRecord {
  const output = tokenCount(reply.text + reply.calls.map(argumentsText).join(''));
  return {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 10 + output,
  };
}

function response(
  id: string,
  view: RequestView,
  status: string,
  output: JsonRecord[],
  reply?: Reply,
): JsonRecord {
  return {
    id,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    model: view.model,
    output,
    ...(reply === undefined ? {} : { usage: usage(reply) }),
  };
}

/** The events that stream one finished item: added (empty), its deltas, done. */
function itemEvents(item: JsonRecord, outputIndex: number): JsonRecord[] {
  const itemId = asString(item.id);
  const base = { item_id: itemId, output_index: outputIndex };
  if (item.type === 'message') {
    const text = contentText(item.content);
    const part = { type: 'output_text', text: '', annotations: [] };
    return [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      },
      { type: 'response.content_part.added', ...base, content_index: 0, part },
      ...textChunks(text).map((delta) => ({
        type: 'response.output_text.delta',
        ...base,
        content_index: 0,
        delta,
      })),
      { type: 'response.output_text.done', ...base, content_index: 0, text },
      { type: 'response.content_part.done', ...base, content_index: 0, part: { ...part, text } },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  if (item.type === 'custom_tool_call') {
    const input = asString(item.input);
    return [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', input: '' },
      },
      { type: 'response.custom_tool_call_input.delta', ...base, delta: input },
      { type: 'response.custom_tool_call_input.done', ...base, input },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  const args = asString(item.arguments);
  return [
    {
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { ...item, status: 'in_progress', arguments: '' },
    },
    { type: 'response.function_call_arguments.delta', ...base, delta: args },
    { type: 'response.function_call_arguments.done', ...base, arguments: args },
    { type: 'response.output_item.done', output_index: outputIndex, item },
  ];
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  429: 'rate_limit_exceeded',
};

export const openaiResponsesApi: WireApi = {
  kind: 'openai-responses',

  read(body) {
    const request = asRecord(body);
    const messages = readItems(request.input);
    const instructions = asString(request.instructions);
    if (instructions !== '')
      messages.unshift({ role: 'system', text: instructions, toolCalls: [], toolResults: [] });
    return {
      model: asString(request.model),
      stream: request.stream === true,
      tools: readTools(request.tools),
      messages,
      auxiliary: false,
    };
  },

  streamReply(reply, view, ids) {
    const id = ids.next('resp_scripted_');
    const items = outputItems(reply, view, ids);
    const events: JsonRecord[] = [
      { type: 'response.created', response: response(id, view, 'in_progress', []) },
      { type: 'response.in_progress', response: response(id, view, 'in_progress', []) },
      ...items.flatMap(itemEvents),
      { type: 'response.completed', response: response(id, view, 'completed', items, reply) },
    ];
    return events.map(
      (data, sequence): SseEvent => ({
        event: asString(data.type),
        data: { ...data, sequence_number: sequence },
      }),
    );
  },

  jsonReply(reply, view, ids) {
    return response(ids.next('resp_scripted_'), view, 'completed', outputItems(reply, view, ids), reply);
  },

  errorBody(status, message) {
    return {
      error: {
        message,
        type: errorTypes[status] ?? 'server_error',
        param: null,
        code: errorTypes[status] ?? 'server_error',
      },
    };
  },

  auxiliaryText() {
    return 'scripted';
  },
};
