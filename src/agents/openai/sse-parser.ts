/**
 * Incremental server-sent-events parser (the WHATWG framing): bytes in, events out. Chat Completions
 * streams are `data:` lines separated by blank lines; comments (`: keep-alive`, OpenRouter's
 * `: OPENROUTER PROCESSING`) are skipped and lines that are not SSE at all are handed back as unknown.
 */

export type SseItem =
  | { kind: 'event'; event: string | undefined; data: string }
  /** A line that is not an SSE field: kept for the transcript, never a crash. */
  | { kind: 'unknown-line'; raw: string };

/** The stream broke the framing badly enough that reading on is pointless (e.g. an endless line). */
export class SseFramingError extends Error {
  override readonly name = 'SseFramingError';
}

export class SseParser {
  readonly #maxEventChars: number;
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  /** How much of the buffer is known to hold no line break, so a long line is not rescanned per chunk. */
  #scanned = 0;
  #data: string[] = [];
  #dataChars = 0;
  #event: string | undefined;

  /** @param maxEventChars cap on one line or one event's data, so a broken server cannot exhaust memory. */
  constructor(maxEventChars = 16 * 1024 * 1024) {
    this.#maxEventChars = maxEventChars;
  }

  push(chunk: Uint8Array): SseItem[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    return this.#drain(false);
  }

  /** The stream ended: whatever is left is processed, and an unterminated event is still delivered. */
  end(): SseItem[] {
    this.#buffer += this.#decoder.decode();
    const items = this.#drain(true);
    if (this.#buffer !== '') this.#line(this.#buffer, items);
    this.#buffer = '';
    this.#scanned = 0;
    this.#dispatch(items);
    return items;
  }

  #drain(final: boolean): SseItem[] {
    const items: SseItem[] = [];
    let start = 0;
    const buffer = this.#buffer;
    let index = this.#scanned;
    for (; index < buffer.length; index++) {
      const char = buffer.charCodeAt(index);
      if (char !== 10 && char !== 13) continue;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next one.
      if (char === 13 && index === buffer.length - 1 && !final) break;
      this.#line(buffer.slice(start, index), items);
      if (char === 13 && buffer.charCodeAt(index + 1) === 10) index++;
      start = index + 1;
    }
    this.#buffer = buffer.slice(start);
    this.#scanned = index - start;
    if (this.#buffer.length > this.#maxEventChars) {
      throw new SseFramingError(`an SSE line grew beyond ${this.#maxEventChars} characters`);
    }
    return items;
  }

  #line(line: string, items: SseItem[]): void {
    if (line === '') {
      this.#dispatch(items);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#dataChars += value.length;
        if (this.#dataChars > this.#maxEventChars) {
          throw new SseFramingError(`an SSE event grew beyond ${this.#maxEventChars} characters`);
        }
        return;
      case 'event':
        this.#event = value;
        return;
      case 'id':
      case 'retry':
        return;
      default:
        items.push({ kind: 'unknown-line', raw: line });
    }
  }

  #dispatch(items: SseItem[]): void {
    if (this.#data.length > 0) items.push({ kind: 'event', event: this.#event, data: this.#data.join('\n') });
    this.#data = [];
    this.#dataChars = 0;
    this.#event = undefined;
  }
}
