// Server-sent events framing. Each API has its own event names, but all share this wire format.

export interface SseEvent {
  /** The `event:` line; the OpenAI Chat and Gemini streams have none. */
  event?: string;
  /** Serialised as JSON on one `data:` line, or sent as is when it is already a string. */
  data: unknown;
}

export function formatSse(event: SseEvent): string {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  return `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data}\n\n`;
}
