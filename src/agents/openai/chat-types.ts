/** The slice of the OpenAI Chat Completions wire format this adapter speaks (requests and streamed chunks). */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function tool as advertised in the request's `tools`. */
export interface ChatToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** Token counts of one completion, as the wire reports them. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
}

/** One finished completion: what the model said and asked for. */
export interface ChatCompletion {
  text: string;
  toolCalls: ChatToolCall[];
  /** `stop`, `tool_calls`, `length`, `content_filter`, … or undefined when the server sent none. */
  finishReason: string | undefined;
  usage: ChatUsage | undefined;
  /** The model name the server answered with (may differ from the one asked for, e.g. a dated alias). */
  model: string | undefined;
}
