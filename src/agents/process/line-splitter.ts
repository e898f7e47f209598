/**
 * Splits a byte stream into lines for NDJSON / JSON-RPC protocols. A line longer than the cap is cut
 * and reported truncated rather than buffered without bound: an agent that floods its stdout cannot grow
 * our memory.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: string, truncated: boolean) => void;
  #parts: Buffer[] = [];
  #length = 0;
  #overflowed = false;

  constructor(maxLineBytes: number, onLine: (line: string, truncated: boolean) => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline < 0) break;
      this.#append(chunk.subarray(start, newline));
      this.#emit();
      start = newline + 1;
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
  }

  /** Emits a final line without a trailing newline, if any. */
  end(): void {
    if (this.#length > 0 || this.#overflowed) this.#emit();
  }

  #append(piece: Buffer): void {
    const room = this.#maxLineBytes - this.#length;
    if (piece.length > room) {
      this.#overflowed = true;
      if (room > 0) {
        this.#parts.push(Buffer.from(piece.subarray(0, room)));
        this.#length += room;
      }
      return;
    }
    this.#parts.push(Buffer.from(piece));
    this.#length += piece.length;
  }

  #emit(): void {
    const line = Buffer.concat(this.#parts, this.#length).toString('utf8');
    const truncated = this.#overflowed;
    this.#parts = [];
    this.#length = 0;
    this.#overflowed = false;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text !== '' || truncated) this.#onLine(text, truncated);
  }
}
