/** How a chat request reads in the step's transcript: one summary line per request, then the answer. */
import type { ChatMessage, ChatToolDefinition } from './chat-types.js';
import type { StreamHandlers } from './read-chat-stream.js';

interface TranscriptRequest {
  messages: readonly ChatMessage[];
  tools?: readonly ChatToolDefinition[];
  onText?(text: string): void;
  onUnknownLine?(raw: string): void;
}

export function streamHandlers(
  request: TranscriptRequest,
  log: (text: string) => void,
  arm: () => void,
): StreamHandlers {
  let mode: 'none' | 'reasoning' | 'text' = 'none';
  return {
    onActivity: arm,
    onText(text: string) {
      if (mode === 'reasoning') log('\n[answer] ');
      mode = 'text';
      log(text);
      request.onText?.(text);
    },
    onReasoning(text: string) {
      if (mode !== 'reasoning') log('[reasoning] ');
      mode = 'reasoning';
      log(text);
    },
    onUnknownLine(raw: string) {
      log(`[not SSE] ${raw.slice(0, 2_000)}\n`);
      request.onUnknownLine?.(raw);
    },
  };
}

export function requestSummary(
  request: TranscriptRequest,
  model: string,
  withStreamOptions: boolean,
): string {
  const tools = request.tools?.map((tool) => tool.function.name).join(',') ?? '';
  return [
    `model=${model}`,
    `messages=${request.messages.length}`,
    ...(tools !== '' ? [`tools=${tools}`] : []),
    ...(withStreamOptions ? ['stream_options=include_usage'] : []),
  ].join(' ');
}

/** Credentials in a URL (`https://user:pass@host`) never reach the transcript. */
export function urlForTranscript(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}`;
}
