/**
 * A transcript as a person reads it: the agent's text as messages, each tool call paired with its result
 * and summarised in one line (the file, the command, the size of a patch), retries and warnings marked,
 * usage at the end. The same for every agent, because every adapter emits the same typed parts.
 */
import type { TranscriptPart } from '../../../src/server/http/transcript-protocol.js';

export interface ToolEntry {
  kind: 'tool';
  id: string;
  name: string;
  at: number;
  /** One line: what the call was about. */
  summary: string;
  input: unknown;
  result?: { output: string; isError: boolean; summary: string; at: number };
}

export type TranscriptEntry =
  | { kind: 'message'; text: string; at: number }
  | ToolEntry
  | { kind: 'session'; sessionId: string; model?: string; at: number }
  | { kind: 'notice'; tone: 'retry' | 'warning' | 'dropped'; text: string; at: number }
  | { kind: 'unknown'; lines: string[]; at: number };

export interface Transcript {
  entries: TranscriptEntry[];
  usage?: { inputTokens: number; outputTokens: number; cachedInputTokens?: number; costUsd?: number };
  toolCalls: number;
  toolErrors: number;
}

export function buildTranscript(parts: readonly TranscriptPart[]): Transcript {
  const entries: TranscriptEntry[] = [];
  const tools = new Map<string, ToolEntry>();
  const transcript: Transcript = { entries, toolCalls: 0, toolErrors: 0 };
  for (const part of parts) {
    const last = entries[entries.length - 1];
    switch (part.type) {
      case 'text-delta':
        if (last?.kind === 'message') last.text += part.text;
        else entries.push({ kind: 'message', text: part.text, at: part.at });
        break;
      case 'tool-call': {
        const entry: ToolEntry = {
          kind: 'tool',
          id: part.id,
          name: part.name,
          at: part.at,
          summary: summarizeInput(part.input),
          input: part.input,
        };
        tools.set(part.id, entry);
        entries.push(entry);
        transcript.toolCalls++;
        break;
      }
      case 'tool-result': {
        const result = {
          output: part.output,
          isError: part.isError,
          summary: summarizeOutput(part.output, part.isError),
          at: part.at,
        };
        if (part.isError) transcript.toolErrors++;
        const call = tools.get(part.id);
        if (call) call.result = result;
        else
          entries.push({
            kind: 'tool',
            id: part.id,
            name: 'tool',
            at: part.at,
            summary: '',
            input: undefined,
            result,
          });
        break;
      }
      case 'session-start':
        entries.push({
          kind: 'session',
          sessionId: part.sessionId,
          at: part.at,
          ...(part.model && { model: part.model }),
        });
        break;
      case 'usage-report':
        // Adapters report running totals or one total at the end: the last report is the attempt's.
        transcript.usage = part.usage;
        break;
      case 'retry-notice':
        entries.push({
          kind: 'notice',
          tone: 'retry',
          text: `${part.message}${part.delayMs === undefined ? '' : ` — retrying in ${seconds(part.delayMs)}`}`,
          at: part.at,
        });
        break;
      case 'warning':
        entries.push({ kind: 'notice', tone: 'warning', text: part.message, at: part.at });
        break;
      case 'parts-dropped':
        entries.push({
          kind: 'notice',
          tone: 'dropped',
          text: `${part.parts} later parts (${Math.round(part.bytes / 1024)} KiB) were over the transcript's size cap; the raw log has more`,
          at: part.at,
        });
        break;
      case 'unknown-line':
        if (last?.kind === 'unknown') last.lines.push(part.raw);
        else entries.push({ kind: 'unknown', lines: [part.raw], at: part.at });
        break;
    }
  }
  return transcript;
}

const pathKeys = ['file_path', 'filePath', 'path', 'notebook_path', 'file', 'absolute_path', 'filename'];
const commandKeys = ['command', 'cmd', 'commandLine'];
const patchKeys = ['patch', 'diff', 'new_string', 'newText', 'content', 'new_str', 'input'];
const otherKeys = ['pattern', 'query', 'url', 'description', 'prompt'];

/** The arguments of a tool call in a few words: paths, the command, how big a patch is. */
export function summarizeInput(input: unknown): string {
  if (typeof input === 'string') return firstLine(input);
  if (!isRecord(input)) return '';
  const record = input;
  const pieces: string[] = [];
  for (const key of pathKeys) {
    const value = record[key];
    if (typeof value === 'string') pieces.push(value);
  }
  if (Array.isArray(record.paths))
    pieces.push(record.paths.filter((item) => typeof item === 'string').join(', '));
  for (const key of commandKeys) {
    const value = record[key];
    if (typeof value === 'string') pieces.push(`$ ${firstLine(value)}`);
    else if (Array.isArray(value))
      pieces.push(`$ ${value.filter((item) => typeof item === 'string').join(' ')}`);
  }
  for (const key of patchKeys) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0 && pieces.length <= 2) {
      pieces.push(patchSize(value, record.old_string ?? record.oldText ?? record.old_str));
      break;
    }
  }
  if (pieces.length === 0) {
    for (const key of otherKeys) {
      const value = record[key];
      if (typeof value === 'string') {
        pieces.push(firstLine(value));
        break;
      }
    }
  }
  if (pieces.length === 0) {
    const first = Object.entries(record).find(([, value]) => typeof value === 'string');
    if (first) pieces.push(`${first[0]}: ${firstLine(String(first[1]))}`);
  }
  return clip(pieces.join(' · '), 160);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function patchSize(text: string, old: unknown): string {
  const added = text.split('\n').length;
  const removed = typeof old === 'string' && old !== '' ? old.split('\n').length : 0;
  // apply_patch-style bodies say per line what they add and remove.
  const marked = text.split('\n').filter((line) => /^[+-](?![+-])/.test(line));
  if (marked.length > 0) {
    const plus = marked.filter((line) => line.startsWith('+')).length;
    return `patch +${plus} −${marked.length - plus} lines`;
  }
  return removed > 0 ? `+${added} −${removed} lines` : `${added} line${added === 1 ? '' : 's'}`;
}

/** A tool's result in one line: its first meaningful line, and how long it is. */
export function summarizeOutput(output: string, isError: boolean): string {
  const trimmed = output.trim();
  if (trimmed === '') return isError ? 'failed with no output' : 'no output';
  const lines = trimmed.split('\n');
  const head = firstLine(trimmed);
  const size = lines.length > 1 ? ` (${lines.length} lines)` : '';
  return clip(`${head}${size}`, 140);
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim();
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
