/**
 * Reads `gemini -p … --output-format stream-json` lines: `init`, `message` (assistant text arrives as
 * `delta: true` pieces to join), `tool_use`, `tool_result`, `error` (non-fatal) and the closing `result`.
 * Lines that are not JSON or of an unknown type become `unknown-line` parts, never an error.
 */
import { isAbsolute, relative } from 'node:path';
import { z } from 'zod';
import { isRecord } from '../../support/json-record.js';
import { lenient } from '../../support/lenient-field.js';
import type { AgentStreamPart, AgentUsage } from '../agent.js';

// The closing line: a field of another shape reads as absent (a status that is not `success` fails the step).
const geminiResultLineSchema = z.object({
  status: lenient(z.string()).transform((status) => status ?? ''),
  error: lenient(
    z.object({
      type: lenient(z.string()),
      message: lenient(z.string()),
      code: lenient(z.union([z.number(), z.string()])),
    }),
  ),
  stats: lenient(
    z.object({
      input_tokens: lenient(z.number()),
      output_tokens: lenient(z.number()),
      cached: lenient(z.number()),
    }),
  ),
});

export type GeminiResultLine = z.infer<typeof geminiResultLineSchema>;

/** Gemini CLI's tools whose `file_path` argument names the file they write. */
const fileWritingTools = new Set(['write_file', 'replace']);

export class GeminiStreamReader {
  readonly #text: string[] = [];
  readonly #pendingWrites = new Map<string, string>();
  readonly #written: string[] = [];
  #result: GeminiResultLine | undefined;
  #sessionId: string | undefined;

  /** Parts for one stdout line. */
  read(line: string): AgentStreamPart[] {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return [{ type: 'unknown-line', raw: line.slice(0, 2_000) }];
    }
    if (!isRecord(event) || typeof event.type !== 'string') {
      return [{ type: 'unknown-line', raw: line.slice(0, 2_000) }];
    }
    switch (event.type) {
      case 'init':
        return this.#init(event);
      case 'message':
        return this.#message(event);
      case 'tool_use':
        return this.#toolUse(event);
      case 'tool_result':
        return this.#toolResult(event);
      case 'error':
        return [{ type: 'warning', message: String(event.message ?? 'error') }];
      case 'result':
        return this.#resultLine(event);
      default:
        return [{ type: 'unknown-line', raw: line.slice(0, 2_000) }];
    }
  }

  get result(): GeminiResultLine | undefined {
    return this.#result;
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  output(): string {
    return this.#text.join('');
  }

  usage(): AgentUsage | undefined {
    const stats = this.#result?.stats;
    if (stats?.input_tokens === undefined || stats.output_tokens === undefined) return undefined;
    return {
      inputTokens: stats.input_tokens,
      outputTokens: stats.output_tokens,
      ...(stats.cached !== undefined && stats.cached > 0 && { cachedInputTokens: stats.cached }),
    };
  }

  /** Files written by tool calls that succeeded, relative to `workspace` (those outside it are left out). */
  filesChanged(workspace: string): string[] {
    const files = this.#written.map((path) => (isAbsolute(path) ? relative(workspace, path) : path));
    return [...new Set(files)].filter((path) => path !== '' && !path.startsWith('..'));
  }

  #init(event: Record<string, unknown>): AgentStreamPart[] {
    if (typeof event.session_id !== 'string') return [];
    this.#sessionId = event.session_id;
    return [
      {
        type: 'session-start',
        sessionId: event.session_id,
        ...(typeof event.model === 'string' && { model: event.model }),
      },
    ];
  }

  #message(event: Record<string, unknown>): AgentStreamPart[] {
    if (event.role !== 'assistant' || typeof event.content !== 'string') return [];
    this.#text.push(event.content);
    return [{ type: 'text-delta', text: event.content }];
  }

  #toolUse(event: Record<string, unknown>): AgentStreamPart[] {
    const id = String(event.tool_id ?? '');
    const name = String(event.tool_name ?? 'tool');
    const parameters = isRecord(event.parameters) ? event.parameters : {};
    if (fileWritingTools.has(name) && typeof parameters.file_path === 'string') {
      this.#pendingWrites.set(id, parameters.file_path);
    }
    return [{ type: 'tool-call', id, name, input: event.parameters }];
  }

  #toolResult(event: Record<string, unknown>): AgentStreamPart[] {
    const id = String(event.tool_id ?? '');
    const failed = event.status === 'error';
    const path = this.#pendingWrites.get(id);
    this.#pendingWrites.delete(id);
    if (path !== undefined && !failed) this.#written.push(path);
    const error = isRecord(event.error) ? event.error : undefined;
    const output = failed
      ? String(error?.message ?? 'failed')
      : typeof event.output === 'string'
        ? event.output
        : '';
    return [{ type: 'tool-result', id, output: output.slice(0, 4_000), isError: failed }];
  }

  #resultLine(event: Record<string, unknown>): AgentStreamPart[] {
    this.#result = geminiResultLineSchema.parse(event);
    const usage = this.usage();
    return usage ? [{ type: 'usage-report', usage }] : [];
  }
}
