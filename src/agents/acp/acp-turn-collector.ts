/**
 * Folds one prompt turn's `session/update` notifications into stream parts and, at the end, the step's
 * answer, usage and changed files. Update kinds this version does not know become `unknown-line` parts;
 * nothing an agent sends can make a step fail here.
 */
import { relative } from 'node:path';
import { isRecord } from '../../support/json-record.js';
import type { AgentStreamPart, AgentUsage } from '../agent.js';
import { toolPaths } from './acp-permission-policy.js';

interface ToolState {
  kind: string;
  status: string;
  paths: string[];
  finished: boolean;
}

/** Updates that carry nothing a step reports; they are known, so they are not "unknown". */
const quietUpdates = new Set([
  'user_message_chunk',
  'agent_thought_chunk',
  'plan',
  'available_commands_update',
  'current_mode_update',
  'config_option_update',
  'session_info_update',
  'compaction_update',
  'compaction_summary_chunk',
]);

/** Tool kinds that change files: their paths count as changed once the call completes. */
const changingKinds = new Set(['edit', 'delete', 'move']);

export class TurnCollector {
  readonly #text: string[] = [];
  readonly #tools = new Map<string, ToolState>();
  readonly #fsWrites = new Set<string>();
  #contextUsage: AgentUsage | undefined;

  /** Parts for one `session/update`'s `update` object. */
  apply(update: unknown): AgentStreamPart[] {
    if (!isRecord(update) || typeof update.sessionUpdate !== 'string') {
      return [{ type: 'unknown-line', raw: JSON.stringify(update ?? null).slice(0, 2_000) }];
    }
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        return this.#message(update.content);
      case 'tool_call':
      case 'tool_call_update':
        return this.noteTool(update);
      case 'usage_update':
        return this.#usage(update);
      case 'notice':
        return this.#notice(update);
      default:
        if (quietUpdates.has(update.sessionUpdate)) return [];
        return [{ type: 'unknown-line', raw: JSON.stringify(update).slice(0, 2_000) }];
    }
  }

  /**
   * A tool call seen in a `tool_call`, a `tool_call_update` or a permission request (some agents, e.g.
   * Gemini CLI, announce a tool that needs permission only there).
   */
  noteTool(tool: Record<string, unknown>): AgentStreamPart[] {
    const id = typeof tool.toolCallId === 'string' ? tool.toolCallId : '';
    const parts: AgentStreamPart[] = [];
    let state = this.#tools.get(id);
    if (!state) {
      state = { kind: 'other', status: 'pending', paths: [], finished: false };
      this.#tools.set(id, state);
      parts.push({ type: 'tool-call', id, name: toolName(tool), input: tool.rawInput ?? toolInput(tool) });
    }
    if (typeof tool.kind === 'string') state.kind = tool.kind;
    if (typeof tool.status === 'string') state.status = tool.status;
    state.paths = [...new Set([...state.paths, ...toolPaths(asToolShape(tool))])];
    if (!state.finished && (state.status === 'completed' || state.status === 'failed')) {
      state.finished = true;
      parts.push({
        type: 'tool-result',
        id,
        output: contentText(tool.content, tool.rawOutput).slice(0, 4_000),
        isError: state.status === 'failed',
      });
    }
    return parts;
  }

  /** A file the agent wrote through our `fs/write_text_file`. */
  noteWrite(path: string): void {
    this.#fsWrites.add(path);
  }

  output(): string {
    return this.#text.join('');
  }

  /** Token counts of a `usage_update`, when no better source (the prompt response) has them. */
  contextUsage(): AgentUsage | undefined {
    return this.#contextUsage;
  }

  /** Files written through the file-system proxy or by completed edit tools, relative to `workspace`. */
  filesChanged(workspace: string): string[] {
    const paths = [...this.#fsWrites];
    for (const tool of this.#tools.values()) {
      if (changingKinds.has(tool.kind) && tool.status === 'completed') paths.push(...tool.paths);
    }
    const relativePaths = paths.map((path) => relative(workspace, path));
    return [...new Set(relativePaths)].filter((path) => path !== '' && !path.startsWith('..'));
  }

  #message(content: unknown): AgentStreamPart[] {
    if (!isRecord(content) || content.type !== 'text' || typeof content.text !== 'string') return [];
    this.#text.push(content.text);
    return [{ type: 'text-delta', text: content.text }];
  }

  /**
   * `usage_update` reports how full the context window is (`used` of `size` tokens) and optionally a cost;
   * `used` is the nearest thing to input tokens such an agent gives, so it stands in for them.
   */
  #usage(update: Record<string, unknown>): AgentStreamPart[] {
    if (typeof update.used !== 'number') return [];
    const cost = isRecord(update.cost) ? update.cost : undefined;
    const usd = cost && cost.currency === 'USD' && typeof cost.amount === 'number' ? cost.amount : undefined;
    this.#contextUsage = {
      inputTokens: update.used,
      outputTokens: 0,
      ...(usd !== undefined && { costUsd: usd }),
    };
    return [{ type: 'usage-report', usage: this.#contextUsage }];
  }

  #notice(update: Record<string, unknown>): AgentStreamPart[] {
    const title = typeof update.title === 'string' ? update.title : 'notice';
    const description = typeof update.description === 'string' ? `: ${update.description}` : '';
    if (update.severity === 'warning' || update.severity === 'error') {
      return [{ type: 'warning', message: `${title}${description}` }];
    }
    return [];
  }
}

function toolName(tool: Record<string, unknown>): string {
  for (const key of ['name', 'title', 'kind']) {
    const value = tool[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'tool';
}

function toolInput(tool: Record<string, unknown>): unknown {
  const paths = toolPaths(asToolShape(tool));
  return { ...(typeof tool.kind === 'string' && { kind: tool.kind }), ...(paths.length > 0 && { paths }) };
}

function asToolShape(tool: Record<string, unknown>): Parameters<typeof toolPaths>[0] {
  const locations = Array.isArray(tool.locations)
    ? tool.locations
        .filter(isRecord)
        .flatMap((item) => (typeof item.path === 'string' ? [{ path: item.path }] : []))
    : [];
  const content = Array.isArray(tool.content)
    ? tool.content
        .filter(isRecord)
        .flatMap((item) =>
          item.type === 'diff' && typeof item.path === 'string'
            ? [{ type: 'diff' as const, path: item.path, newText: '' }]
            : [],
        )
    : [];
  return { locations, content };
}

function contentText(content: unknown, rawOutput: unknown): string {
  const texts: string[] = [];
  if (Array.isArray(content)) {
    for (const item of content) {
      if (!isRecord(item)) continue;
      const inner = isRecord(item.content) ? item.content : undefined;
      if (item.type === 'content' && inner && typeof inner.text === 'string') texts.push(inner.text);
      else if (item.type === 'diff' && typeof item.path === 'string') texts.push(`changed ${item.path}`);
    }
  }
  if (texts.length === 0 && typeof rawOutput === 'string') texts.push(rawOutput);
  return texts.join('\n');
}

/**
 * Token counts from the prompt response: ACP's (unstable) `usage`, or Gemini CLI's
 * `_meta.quota.token_count` (`{input_tokens, output_tokens}`).
 */
export function usageOf(result: Record<string, unknown>): AgentUsage | undefined {
  const usage = isRecord(result.usage) ? result.usage : undefined;
  if (usage && typeof usage.inputTokens === 'number' && typeof usage.outputTokens === 'number') {
    const cached = typeof usage.cachedReadTokens === 'number' ? usage.cachedReadTokens : undefined;
    return {
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      ...(cached !== undefined && { cachedInputTokens: cached }),
    };
  }
  const meta = isRecord(result._meta) ? result._meta : undefined;
  const quota = meta && isRecord(meta.quota) ? meta.quota : undefined;
  const tokens = quota && isRecord(quota.token_count) ? quota.token_count : undefined;
  if (tokens && typeof tokens.input_tokens === 'number' && typeof tokens.output_tokens === 'number') {
    return { inputTokens: tokens.input_tokens, outputTokens: tokens.output_tokens };
  }
  return undefined;
}
