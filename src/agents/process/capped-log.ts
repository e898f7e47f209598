/**
 * A step's transcript on disk, capped in size. Past the cap, output is counted and dropped (with a marker
 * line) but still read from the child, so a flooding process neither blocks nor grows our memory. The file
 * is created with the first output: a step that prints nothing costs no file (most steps of a big plan of
 * small commands print nothing, and opening and closing a file per step showed in their profile).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { OutputSink } from './fenced-output.js';

const tailBytes = 4096;

export class CappedLog implements OutputSink {
  readonly path: string;
  readonly maxBytes: number;
  #stream: WriteStream | undefined;
  #written = 0;
  #dropped = 0;
  #tail: Buffer = Buffer.alloc(0);

  constructor(path: string, maxBytes: number) {
    this.path = path;
    this.maxBytes = maxBytes;
  }

  #opened(): WriteStream {
    if (this.#stream) return this.#stream;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    // A write error (disk full) must not crash the orchestrator; the step's exit status still counts.
    stream.on('error', () => {});
    this.#stream = stream;
    return stream;
  }

  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Copies `source` into the log, pausing it while the file catches up (backpressure, not buffering). */
  follow(source: Readable): void {
    source.on('data', (chunk: Buffer) => {
      if (!this.write(chunk)) {
        source.pause();
        this.whenDrained(() => source.resume());
      }
    });
  }

  /** Calls back once the file has taken what was written (at once if nothing waits). */
  whenDrained(callback: () => void): void {
    if (this.#stream?.writableNeedDrain) this.#stream.once('drain', callback);
    else callback();
  }

  /** Returns false when the caller should wait for the file to drain. */
  write(chunk: Buffer): boolean {
    this.#remember(chunk);
    const room = this.maxBytes - this.#written;
    if (room <= 0) {
      this.#dropped += chunk.length;
      return true;
    }
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#written += kept.length;
    this.#dropped += chunk.length - kept.length;
    return this.#opened().write(kept);
  }

  /** The last few KB of output, for error messages. */
  tail(): string {
    const text = this.#tail.toString('utf8');
    if (this.#tail.length < tailBytes) return text;
    // The buffer starts mid-line once it has wrapped; drop that partial line.
    const newline = text.indexOf('\n');
    return newline >= 0 ? text.slice(newline + 1) : text;
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    if (this.#dropped > 0) {
      stream.write(
        `\n[ai-collab] output truncated: ${this.#dropped} bytes over the ${this.maxBytes}-byte cap\n`,
      );
    }
    await new Promise<void>((resolve) => stream.end(resolve));
  }

  #remember(chunk: Buffer): void {
    const combined = Buffer.concat([
      this.#tail,
      chunk.length > tailBytes ? chunk.subarray(-tailBytes) : chunk,
    ]);
    this.#tail = combined.length > tailBytes ? combined.subarray(combined.length - tailBytes) : combined;
  }
}
