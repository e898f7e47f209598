/**
 * Reads codex app-server notifications (protocol v2 of 0.171.0, checked against `codex app-server
 * generate-ts`) into stream parts and the turn's state. Notifications of other threads are not ours and are
 * dropped; known chatter (status changes, diffs, rate-limit snapshots) is dropped; anything unknown is kept
 * as an `unknown-line` part.
 */

import { isRecord } from '../../support/json-record.js';
import type { AgentStreamPart } from '../agent.js';
import { numberOf } from './codex-exec-events.js';
import { mergeLimitWindows, readLimitWindows } from './codex-limit-windows.js';
import type { RpcNotification } from './codex-rpc.js';
import { addUsage, type CodexTurnError, type CodexTurnState } from './codex-turn.js';

const maxRaw = 2_000;
const maxToolOutput = 4_000;

/**
 * Notifications the adapter asks codex not to send at all (`initialize` `optOutNotificationMethods`):
 * token-by-token deltas and UI state would only fill transcripts; completed items carry the same text.
 */
export const optedOutNotifications = [
  'item/agentMessage/delta',
  'item/reasoning/textDelta',
  'item/reasoning/summaryTextDelta',
  'item/reasoning/summaryPartAdded',
  'item/commandExecution/outputDelta',
  'item/fileChange/outputDelta',
  'item/plan/delta',
  'remoteControl/status/changed',
  'thread/status/changed',
  'turn/diff/updated',
];

const ignored = new Set([
  ...optedOutNotifications,
  'thread/started',
  'thread/tokenUsage/updated',
  'thread/settings/updated',
  'thread/name/updated',
  'thread/closed',
  'thread/compacted',
  'turn/plan/updated',
  'hook/started',
  'hook/completed',
  'skills/changed',
  'mcpServer/startupStatus/updated',
  'serverRequest/resolved',
  'item/commandExecution/terminalInteraction',
  'item/fileChange/patchUpdated',
  'item/mcpToolCall/progress',
  'model/rerouted',
  'model/safetyBuffering/updated',
  'turn/moderationMetadata',
]);

const warnings = new Set(['warning', 'configWarning', 'deprecationNotice', 'guardianWarning']);

export function readNotification(notification: RpcNotification, state: CodexTurnState): AgentStreamPart[] {
  const { method, params } = notification;
  const threadId = typeof params.threadId === 'string' ? params.threadId : undefined;
  if (threadId !== undefined && state.threadId !== undefined && threadId !== state.threadId) return [];
  if (warnings.has(method)) {
    const text = params.message ?? params.summary;
    return [{ type: 'warning', message: String(text ?? method).slice(0, maxRaw) }];
  }
  switch (method) {
    case 'turn/started':
      if (isRecord(params.turn) && typeof params.turn.id === 'string') state.turnId ??= params.turn.id;
      return [];
    case 'item/started':
    case 'item/completed':
      return isRecord(params.item) ? readItem(method, params.item, state) : [unknown(notification)];
    case 'thread/tokenUsage/updated':
      return readTokenUsage(params, state);
    case 'account/rateLimits/updated':
      // Kept to name the window a usage limit used up (five_hour, weekly); nothing to show by itself.
      state.limits = mergeLimitWindows(state.limits, readLimitWindows(params));
      return [];
    case 'error':
      return readError(params, state);
    case 'turn/completed':
      return readTurnCompleted(params, state);
    default:
      return ignored.has(method) ? [] : [unknown(notification)];
  }
}

function readItem(
  method: 'item/started' | 'item/completed',
  item: Record<string, unknown>,
  state: CodexTurnState,
): AgentStreamPart[] {
  const id = typeof item.id === 'string' ? item.id : '';
  const started = method === 'item/started';
  switch (item.type) {
    case 'agentMessage':
      if (started || typeof item.text !== 'string') return [];
      state.lastMessage = item.text;
      return [{ type: 'text-delta', text: item.text }];
    case 'commandExecution':
      if (started)
        return [{ type: 'tool-call', id, name: 'command', input: { command: item.command, cwd: item.cwd } }];
      return [
        {
          type: 'tool-result',
          id,
          output: String(item.aggregatedOutput ?? '').slice(0, maxToolOutput),
          isError: item.status !== 'completed' || (typeof item.exitCode === 'number' && item.exitCode !== 0),
        },
      ];
    case 'fileChange': {
      const changes = (Array.isArray(item.changes) ? item.changes.filter(isRecord) : []).map((change) => ({
        path: change.path,
        kind: isRecord(change.kind) ? change.kind.type : change.kind,
      }));
      if (started) return [{ type: 'tool-call', id, name: 'file_change', input: { changes } }];
      if (item.status === 'completed') {
        for (const change of changes) if (typeof change.path === 'string') state.files.push(change.path);
      }
      return [
        {
          type: 'tool-result',
          id,
          output: changes.map((change) => `${String(change.kind)} ${String(change.path)}`).join('\n'),
          isError: item.status !== 'completed',
        },
      ];
    }
    case 'mcpToolCall':
    case 'dynamicToolCall': {
      const name =
        item.type === 'mcpToolCall' ? `${String(item.server)}/${String(item.tool)}` : String(item.tool);
      if (started) return [{ type: 'tool-call', id, name, input: item.arguments }];
      const output = item.error ?? item.result ?? item.contentItems ?? null;
      return [
        {
          type: 'tool-result',
          id,
          output: JSON.stringify(output).slice(0, maxToolOutput),
          isError: item.status !== 'completed' || (item.error !== null && item.error !== undefined),
        },
      ];
    }
    case 'webSearch':
      return started ? [{ type: 'tool-call', id, name: 'web_search', input: { query: item.query } }] : [];
    default:
      // userMessage, reasoning, plan, contextCompaction, …: nothing a step's view needs.
      return [];
  }
}

/** `last` is the latest model request's usage; summing it gives this turn's usage even on a resumed thread. */
function readTokenUsage(params: Record<string, unknown>, state: CodexTurnState): AgentStreamPart[] {
  const usage =
    isRecord(params.tokenUsage) && isRecord(params.tokenUsage.last) ? params.tokenUsage.last : undefined;
  if (!usage) return [];
  const cached = numberOf(usage.cachedInputTokens);
  addUsage(state, {
    inputTokens: numberOf(usage.inputTokens),
    outputTokens: numberOf(usage.outputTokens),
    ...(cached > 0 && { cachedInputTokens: cached }),
  });
  return [];
}

function readError(params: Record<string, unknown>, state: CodexTurnState): AgentStreamPart[] {
  const error = turnErrorOf(params.error);
  if (!error) return [];
  if (params.willRetry === true) {
    const message = error.details ? `${error.message} (${error.details})` : error.message;
    state.lastNotice = message;
    return [{ type: 'retry-notice', message }];
  }
  state.error = error;
  return [];
}

function readTurnCompleted(params: Record<string, unknown>, state: CodexTurnState): AgentStreamPart[] {
  const turn = isRecord(params.turn) ? params.turn : {};
  if (state.turnId !== undefined && turn.id !== undefined && turn.id !== state.turnId) return [];
  if (turn.status === 'completed') state.end = 'completed';
  else if (turn.status === 'interrupted') state.end = 'interrupted';
  else {
    state.end = 'failed';
    state.error = turnErrorOf(turn.error) ?? state.error;
  }
  return state.usage && state.end === 'completed' ? [{ type: 'usage-report', usage: state.usage }] : [];
}

/** `TurnError`: `{message, codexErrorInfo, additionalDetails}`; the info is a name or `{name: {httpStatusCode}}`. */
export function turnErrorOf(value: unknown): CodexTurnError | undefined {
  if (!isRecord(value) || typeof value.message !== 'string') return undefined;
  const error: CodexTurnError = { message: value.message };
  const info = value.codexErrorInfo;
  if (typeof info === 'string') error.errorInfo = info;
  else if (isRecord(info)) {
    const [name, detail] = Object.entries(info)[0] ?? [];
    if (name !== undefined) error.errorInfo = name;
    if (isRecord(detail) && typeof detail.httpStatusCode === 'number')
      error.httpStatus = detail.httpStatusCode;
  }
  if (typeof value.additionalDetails === 'string') error.details = value.additionalDetails;
  return error;
}

function unknown(notification: RpcNotification): AgentStreamPart {
  return { type: 'unknown-line', raw: JSON.stringify(notification).slice(0, maxRaw) };
}
