// The scripted model server: one HTTP server on 127.0.0.1 that speaks the Anthropic Messages, OpenAI
// Responses and Chat Completions, and Gemini APIs, answering from a test's script. See PROTOCOL-NOTES.md.
export type {
  AdvertisedTool,
  ApiKind,
  ConversationMessage,
  ModelRequest,
  ToolCallSeen,
  ToolResultSeen,
} from './conversation.js';
export {
  type ModelServer,
  type ModelServerOptions,
  type RecordedRequest,
  startModelServer,
} from './model-server.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { Script, ScriptOptions } from './script.js';
export {
  type ErrorTurn,
  httpError,
  type MalformedTurn,
  type MalformedVariant,
  malformed,
  repeat,
  type ScriptedToolCall,
  type TextTurn,
  type ToolCallsTurn,
  type Turn,
  text,
  toolCall,
  toolCalls,
} from './turns.js';
