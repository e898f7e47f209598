import type { AdvertisedTool, ConversationMessage, ToolResultSeen } from './conversation.js';
import { asArray, asRecord, asString, isRecord } from './json.js';
import type { SseEvent } from './sse.js';
import {
  argumentsObject,
  argumentsText,
  type IdSource,
  type Reply,
  textChunks,
  tokenCount,
  type WireApi,
} from './wire-api.js';

// Anthropic Messages API (POST /v1/messages), as the claude CLI calls it through ANTHROPIC_BASE_URL.
// Stream order per the API docs: message_start, then per block content_block_start / _delta / _stop,
// then message_delta (stop_reason, usage) and message_stop.

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((block) => (isRecord(block) && block.type === 'text' ? asString(block.text) : ''))
    .filter((part) => part !== '')
    .join('\n');
}

function readMessage(raw: unknown): ConversationMessage {
  const message = asRecord(raw);
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  const read: ConversationMessage = {
    role,
    text: blockText(message.content),
    toolCalls: [],
    toolResults: [],
  };
  for (const block of asArray(message.content)) {
    if (!isRecord(block)) continue;
    if (block.type === 'tool_use') {
      read.toolCalls.push({ id: asString(block.id), name: asString(block.name), input: block.input });
    } else if (block.type === 'tool_result') {
      const result: ToolResultSeen = {
        id: asString(block.tool_use_id),
        name: '',
        output: blockText(block.content),
        isError: block.is_error === true,
      };
      read.toolResults.push(result);
    }
  }
  return read;
}

function nameCalls(messages: ConversationMessage[]): void {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const call of message.toolCalls) names.set(call.id, call.name);
    for (const result of message.toolResults) result.name = names.get(result.id) ?? '';
  }
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function contentBlocks(reply: Reply, ids: IdSource): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.text !== '') blocks.push({ type: 'text', text: reply.text });
  for (const call of reply.calls) {
    blocks.push({
      type: 'tool_use',
      id: ids.next('toolu_scripted_'),
      name: call.name,
      input: argumentsObject(call),
    });
  }
  return blocks;
}

function usage(reply: Reply): { input_tokens: number; output_tokens: number } {
  return {
    input_tokens: 10,
    output_tokens: tokenCount(reply.text + reply.calls.map(argumentsText).join('')),
  };
}

export const anthropicMessagesApi: WireApi = {
  kind: 'anthropic-messages',

  read(body) {
    const request = asRecord(body);
    const system = blockText(request.system);
    const messages = asArray(request.messages).map(readMessage);
    nameCalls(messages);
    if (system !== '') messages.unshift({ role: 'system', text: system, toolCalls: [], toolResults: [] });
    const tools: AdvertisedTool[] = asArray(request.tools)
      .filter(isRecord)
      .map((tool) => ({ name: asString(tool.name), type: 'function' }));
    // The CLI's side queries (e.g. titles, quota probes) advertise no tools; the conversation always does.
    return {
      model: asString(request.model),
      stream: request.stream === true,
      tools,
      messages,
      auxiliary: tools.length === 0,
    };
  },

  streamReply(reply, view, ids) {
    const id = ids.next('msg_scripted_');
    const events: SseEvent[] = [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model: view.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 10, output_tokens: 1 },
          },
        },
      },
    ];
    contentBlocks(reply, ids).forEach((block, index) => {
      if (block.type === 'text') {
        events.push({
          event: 'content_block_start',
          data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        });
        for (const chunk of textChunks(asString(block.text))) {
          events.push({
            event: 'content_block_delta',
            data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } },
          });
        }
      } else {
        const start = { ...block, input: {} };
        events.push({
          event: 'content_block_start',
          data: { type: 'content_block_start', index, content_block: start },
        });
        const partial = JSON.stringify(block.input);
        events.push({
          event: 'content_block_delta',
          data: {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: partial },
          },
        });
      }
      events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    });
    events.push(
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: reply.calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
          usage: { output_tokens: usage(reply).output_tokens },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    );
    return events;
  },

  jsonReply(reply, view, ids) {
    return {
      id: ids.next('msg_scripted_'),
      type: 'message',
      role: 'assistant',
      model: view.model,
      content: contentBlocks(reply, ids),
      stop_reason: reply.calls.length > 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: usage(reply),
    };
  },

  errorBody(status, message) {
    return { type: 'error', error: { type: errorTypes[status] ?? 'api_error', message } };
  },

  auxiliaryText() {
    // claude's one side query is the session title, asked for as JSON ({"title": …}) with no tools.
    return JSON.stringify({ title: 'Scripted session' });
  },
};
