import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FencedOutput, type OutputSink } from '../../../../src/agents/process/fenced-output.js';

// A launcher slot's stdout is shared by its steps one after another: each step's log must get exactly
// what that step printed, whatever the chunk boundaries, and never the fence that ends it.

class RecordingSink implements OutputSink {
  readonly chunks: Buffer[] = [];
  full = false;
  write(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return !this.full;
  }
  whenDrained(callback: () => void): void {
    callback();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const fence = Buffer.from('@@fence-0123@@');

test('everything before the fence reaches the step, the fence does not, whatever the chunking', () => {
  const stream = Buffer.concat([Buffer.from('line one\npartial @@fence-01 lookalike\n'), fence]);
  for (let size = 1; size <= stream.length; size++) {
    const output = new FencedOutput();
    const sink = new RecordingSink();
    let fenced = 0;
    output.expect(fence, sink, () => fenced++);
    for (let at = 0; at < stream.length; at += size) output.push(stream.subarray(at, at + size));
    assert.equal(sink.text(), 'line one\npartial @@fence-01 lookalike\n', `chunks of ${size} bytes`);
    assert.equal(fenced, 1, `chunks of ${size} bytes`);
  }
});

test('output ending in a fence’s first bytes is held, then passed on when the step’s output goes on', () => {
  const output = new FencedOutput();
  const sink = new RecordingSink();
  output.expect(fence, sink, () => {});
  output.push(Buffer.from('no newline @@fen'));
  assert.equal(sink.text(), 'no newline ', 'a possible fence start is held back');
  output.push(Buffer.from('ce? not quite'));
  assert.equal(sink.text(), 'no newline @@fence? not quite');
});

test('each step gets its own part; a launcher lost mid-step still delivers what was held', () => {
  const output = new FencedOutput();
  const first = new RecordingSink();
  const second = new RecordingSink();
  output.expect(fence, first, () => {});
  output.push(Buffer.concat([Buffer.from('first'), fence]));
  output.expect(Buffer.from('@@other@@'), second, () => {});
  output.push(Buffer.from('second @@oth'));
  output.abandon();
  assert.equal(first.text(), 'first');
  assert.equal(second.text(), 'second @@oth');
  output.push(Buffer.from('after the step'));
  assert.equal(second.text(), 'second @@oth', 'nothing is routed once no step expects output');
});

test('a sink that asks for a pause is returned, so the stream can wait for it', () => {
  const output = new FencedOutput();
  const sink = new RecordingSink();
  sink.full = true;
  output.expect(fence, sink, () => {});
  assert.equal(output.push(Buffer.from('a lot of output')), sink);
});
