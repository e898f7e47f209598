/**
 * Reads `codex exec --json` lines (JSONL, one event per line; shapes measured against 0.171.0) into stream
 * parts and the turn's state. `error` lines are notices (codex is reconnecting) and never end the turn;
 * `turn.failed` does. Unknown lines and item types are kept as `unknown-line` parts, never an error: codex
 * adds event and item types between versions.
 */

import { isRecord, parseObject } from '../../support/json-record.js';
import type { AgentStreamPart } from '../agent.js';
import { addUsage, type CodexTurnState } from './codex-turn.js';

const maxRaw = 2_000;
const maxToolOutput = 4_000;

export function readExecLine(line: string, state: CodexTurnState): AgentStreamPart[] {
  const event = parseObject(line);
  if (!event || typeof event.type !== 'string') return [{ type: 'unknown-line', raw: line.slice(0, maxRaw) }];
  switch (event.type) {
    case 'thread.started':
      if (typeof event.thread_id !== 'string') return [unknown(line)];
      state.threadId = event.thread_id;
      return [{ type: 'session-start', sessionId: event.thread_id }];
    case 'turn.started':
      return [];
    case 'turn.completed': {
      state.end = 'completed';
      const usage = isRecord(event.usage) ? event.usage : undefined;
      if (!usage) return [];
      const cached = numberOf(usage.cached_input_tokens);
      addUsage(state, {
        inputTokens: numberOf(usage.input_tokens),
        outputTokens: numberOf(usage.output_tokens),
        ...(cached > 0 && { cachedInputTokens: cached }),
      });
      return state.usage ? [{ type: 'usage-report', usage: state.usage }] : [];
    }
    case 'turn.failed': {
      state.end = 'failed';
      const error = isRecord(event.error) ? event.error : {};
      state.error = { message: typeof error.message === 'string' ? error.message : 'turn failed' };
      return [];
    }
    case 'error': {
      const message = typeof event.message === 'string' ? event.message : line;
      state.lastNotice = message;
      return [{ type: 'retry-notice', message }];
    }
    case 'item.started':
    case 'item.updated':
    case 'item.completed':
      return isRecord(event.item) ? readItem(event.type, event.item, state, line) : [unknown(line)];
    default:
      return [unknown(line)];
  }
}

function readItem(
  phase: 'item.started' | 'item.updated' | 'item.completed',
  item: Record<string, unknown>,
  state: CodexTurnState,
  line: string,
): AgentStreamPart[] {
  const id = typeof item.id === 'string' ? item.id : '';
  const done = phase === 'item.completed';
  switch (item.type) {
    case 'agent_message':
      if (!done || typeof item.text !== 'string') return [];
      state.lastMessage = item.text;
      return [{ type: 'text-delta', text: item.text }];
    case 'reasoning':
    case 'todo_list':
      return [];
    case 'command_execution':
      if (phase === 'item.started')
        return [{ type: 'tool-call', id, name: 'command', input: { command: item.command } }];
      if (!done) return [];
      return [
        {
          type: 'tool-result',
          id,
          output: String(item.aggregated_output ?? '').slice(0, maxToolOutput),
          isError:
            item.status !== 'completed' || (typeof item.exit_code === 'number' && item.exit_code !== 0),
        },
      ];
    case 'file_change': {
      const changes = Array.isArray(item.changes) ? item.changes.filter(isRecord) : [];
      if (phase === 'item.started')
        return [{ type: 'tool-call', id, name: 'file_change', input: { changes } }];
      if (!done) return [];
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
    case 'mcp_tool_call':
      if (phase === 'item.started') {
        return [
          {
            type: 'tool-call',
            id,
            name: `${String(item.server)}/${String(item.tool)}`,
            input: item.arguments,
          },
        ];
      }
      if (!done) return [];
      return [
        {
          type: 'tool-result',
          id,
          output: JSON.stringify(item.error ?? item.result ?? null).slice(0, maxToolOutput),
          isError: item.status !== 'completed' || item.error != null,
        },
      ];
    case 'web_search':
      return phase === 'item.started'
        ? [{ type: 'tool-call', id, name: 'web_search', input: { query: item.query } }]
        : [];
    case 'error':
      // Non-fatal, e.g. "Model metadata for `x` not found. Defaulting to fallback metadata; …".
      return done ? [{ type: 'warning', message: String(item.message ?? line).slice(0, maxRaw) }] : [];
    default:
      return [unknown(line)];
  }
}

function unknown(line: string): AgentStreamPart {
  return { type: 'unknown-line', raw: line.slice(0, maxRaw) };
}

export function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
