/**
 * One step's part of an output stream that several steps use one after another (a launcher slot's stdout
 * or stderr). The launcher writes a fence, a string fresh for each step, once every process of the step
 * is gone: every byte before it is the step's, and the fence itself is never passed on. A fence split
 * across chunks is held back until it is whole.
 */

/** Where a step's output goes (a `CappedLog`). */
export interface OutputSink {
  /** False when the caller should wait for `whenDrained` before writing more. */
  write(chunk: Buffer): boolean;
  whenDrained(callback: () => void): void;
}

interface Expected {
  fence: Buffer;
  sink: OutputSink;
  fenced: () => void;
}

export class FencedOutput {
  #expected: Expected | undefined;
  #held: Buffer = Buffer.alloc(0);

  /** Routes what follows to `sink` until `fence`; `fenced` is called once it has passed. */
  expect(fence: Buffer, sink: OutputSink, fenced: () => void): void {
    this.#expected = { fence, sink, fenced };
    this.#held = Buffer.alloc(0);
  }

  /** Stops routing (the launcher is gone); the held bytes were the step's after all. */
  abandon(): void {
    const expected = this.#expected;
    this.#expected = undefined;
    if (!expected) return;
    if (this.#held.length > 0) expected.sink.write(this.#held);
    this.#held = Buffer.alloc(0);
    expected.fenced();
  }

  /**
   * Takes a chunk of the stream. Returns the sink to wait for when it asked for a pause, else undefined.
   * Bytes with no step expecting them (none should come) are dropped.
   */
  push(chunk: Buffer): OutputSink | undefined {
    const expected = this.#expected;
    if (!expected) return undefined;
    const bytes = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const at = bytes.indexOf(expected.fence);
    if (at >= 0) {
      this.#expected = undefined;
      this.#held = Buffer.alloc(0);
      if (at > 0) expected.sink.write(bytes.subarray(0, at));
      expected.fenced();
      return undefined;
    }
    const kept = fencePrefixAtEnd(bytes, expected.fence);
    this.#held = kept > 0 ? Buffer.from(bytes.subarray(bytes.length - kept)) : Buffer.alloc(0);
    const passed = bytes.subarray(0, bytes.length - kept);
    if (passed.length === 0) return undefined;
    return expected.sink.write(passed) ? undefined : expected.sink;
  }
}

/** How many bytes at the end of `bytes` could be the start of `fence`. */
function fencePrefixAtEnd(bytes: Buffer, fence: Buffer): number {
  for (let length = Math.min(bytes.length, fence.length - 1); length > 0; length--) {
    if (bytes.subarray(bytes.length - length).equals(fence.subarray(0, length))) return length;
  }
  return 0;
}
