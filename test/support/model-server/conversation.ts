// The wire-neutral view of one model request that scripts decide on. Each wire API (Anthropic, OpenAI
// Responses, OpenAI Chat, Gemini) is read into this shape, so one script can drive any of the CLIs.

export type ApiKind = 'anthropic-messages' | 'openai-responses' | 'openai-chat' | 'gemini';

export interface ToolCallSeen {
  id: string;
  name: string;
  /** Parsed JSON arguments, or the raw text of a freeform (custom) tool call. */
  input: unknown;
}

export interface ToolResultSeen {
  /** The call id the result answers (Gemini has none: its results are matched by tool name). */
  id: string;
  name: string;
  output: string;
  isError: boolean;
}

export interface ConversationMessage {
  role: 'user' | 'assistant' | 'system';
  text: string;
  toolCalls: ToolCallSeen[];
  toolResults: ToolResultSeen[];
}

export interface AdvertisedTool {
  name: string;
  /** `function` for JSON-argument tools; `custom` for freeform ones such as Codex's apply_patch. */
  type: 'function' | 'custom';
}

export interface ModelRequest {
  /** Position among all model requests this server answered, from 0. */
  index: number;
  api: ApiKind;
  model: string;
  stream: boolean;
  tools: AdvertisedTool[];
  messages: ConversationMessage[];
  /** The text of the last user message that has text of its own (tool results excluded). */
  lastUserText: string;
  /** Tool results sent after the model's last message: the answers to the calls it just made. */
  pendingToolResults: ToolResultSeen[];
  /**
   * True for side requests a CLI makes besides the conversation (titles, next-speaker checks, quota
   * probes). They do not consume a queued turn, so a queue script lines up with the conversation only.
   */
  auxiliary: boolean;
  body: unknown;
}

/** Fills the derived fields from the messages, the same way for every wire API. */
export function summarise(
  messages: ConversationMessage[],
): Pick<ModelRequest, 'lastUserText' | 'pendingToolResults'> {
  let lastUserText = '';
  for (const message of messages) {
    if (message.role === 'user' && message.text.trim() !== '') lastUserText = message.text;
  }
  const pendingToolResults: ToolResultSeen[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message === undefined || message.role === 'assistant') break;
    pendingToolResults.unshift(...message.toolResults);
  }
  return { lastUserText, pendingToolResults };
}
