/**
 * An attempt's typed stream parts, kept as JSON lines beside its raw log (`<step>.<attempt>.parts.jsonl`),
 * so every front end can show the same conversation for every agent, while the step runs and after.
 *
 * Not events: the event log holds state changes and stays small enough to replay; a transcript is output,
 * like the raw log, and is bounded the same way (a byte cap per attempt, long strings clipped per part).
 * Text deltas are joined into one line per burst, so a chatty model does not write one line per token.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentStreamPart } from '../agents/agent.js';
import type { Clock } from '../support/clock.js';

/** Bytes kept per attempt; past it parts are counted, not written, and a `parts-dropped` line says so. */
export const maxTranscriptBytes = 4 * 1024 * 1024;
/** Characters kept of any one string in a part (a tool's output, a patch, a command). */
export const maxPartStringChars = 8_000;
/** Joined text is written at least this often while the agent keeps talking. */
const textFlushMs = 200;
const maxPendingText = 4_096;

/** One line of the file: a stream part with the time it arrived, or the note that parts were dropped. */
export type TranscriptLine =
  | (AgentStreamPart & { at: number })
  | { type: 'parts-dropped'; at: number; parts: number; bytes: number };

/** The transcript's file for an attempt's raw log (`x.3.log` → `x.3.parts.jsonl`). */
export function transcriptFileOf(logFile: string): string {
  return `${logFile.replace(/\.log$/, '')}.parts.jsonl`;
}

export class TranscriptLog {
  readonly path: string;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  #stream: WriteStream | undefined;
  #written = 0;
  #dropped = { parts: 0, bytes: 0 };
  #text = '';
  #textAt = 0;
  #cancelFlush: (() => void) | undefined;

  constructor(path: string, clock: Clock, maxBytes = maxTranscriptBytes) {
    this.path = path;
    this.#clock = clock;
    this.#maxBytes = maxBytes;
  }

  add(part: AgentStreamPart): void {
    if (part.type === 'text-delta') {
      if (this.#text === '') this.#textAt = this.#clock.now();
      this.#text += part.text;
      if (this.#text.length >= maxPendingText) this.#flushText();
      else this.#cancelFlush ??= this.#clock.setTimer(textFlushMs, () => this.#flushText());
      return;
    }
    this.#flushText();
    this.#write({ ...clipStrings(part), at: this.#clock.now() });
  }

  /** Writes what is held back and closes the file; the attempt is over. */
  async close(): Promise<void> {
    this.#flushText();
    if (this.#dropped.parts > 0) {
      this.#append({ type: 'parts-dropped', at: this.#clock.now(), ...this.#dropped });
    }
    const stream = this.#stream;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }

  #flushText(): void {
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    if (this.#text === '') return;
    const text = this.#text;
    this.#text = '';
    this.#write({ type: 'text-delta', text, at: this.#textAt });
  }

  #write(line: TranscriptLine): void {
    const text = `${JSON.stringify(line)}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.#written + bytes > this.#maxBytes) {
      this.#dropped.parts++;
      this.#dropped.bytes += bytes;
      return;
    }
    this.#append(line, text, bytes);
  }

  #append(line: TranscriptLine, text = `${JSON.stringify(line)}\n`, bytes = Buffer.byteLength(text)): void {
    if (!this.#stream) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.#stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 });
      // A full disk must not fail the step: the transcript is for people, the result comes from the agent.
      this.#stream.on('error', () => {});
    }
    this.#written += bytes;
    this.#stream.write(text);
  }
}

/** The part with every long string cut to `maxPartStringChars`, saying how much was cut. */
function clipStrings<T>(value: T): T {
  return clip(value, 0) as T;
}

function clip(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > maxPartStringChars
      ? `${value.slice(0, maxPartStringChars)}… [${value.length - maxPartStringChars} more characters]`
      : value;
  }
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 200).map((item) => clip(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = clip(item, depth + 1);
  return result;
}
