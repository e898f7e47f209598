import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor } from '../../../src/server/security/redact.js';
import { describePart, LiveOutput } from '../../../src/server/stream/live-output.js';
import type { LiveChunk } from '../../../src/server/stream/stream-protocol.js';
import { FakeClock } from '../../support/fake-clock.js';

function setup(maxCharsPerFlush = 1_000) {
  const clock = new FakeClock();
  const sent: LiveChunk[][] = [];
  const live = new LiveOutput(
    clock,
    createRedactor(() => []),
    { flushMs: 100, maxCharsPerFlush, idleReleaseMs: 300 },
    (chunks) => sent.push(chunks),
  );
  return { clock, sent, live };
}

test('parts are coalesced into one message per interval; held-back text is released when the step ends', async () => {
  const { clock, sent, live } = setup();
  for (let index = 0; index < 50; index++) live.push('a', 1, { type: 'text-delta', text: `line ${index}\n` });
  await clock.advance(100);
  assert.equal(sent.length, 1);
  live.endStep('a');
  const text = sent
    .flat()
    .map((chunk) => chunk.text)
    .join('');
  assert.equal(text, Array.from({ length: 50 }, (_, index) => `line ${index}\n`).join(''));
});

test('a flood is capped per interval with a note; the tail keeps the latest text for late viewers', async () => {
  const { clock, sent, live } = setup(200);
  live.push('a', 1, { type: 'text-delta', text: 'x'.repeat(5_000) });
  live.endStep('a');
  const first = sent[0]?.[0]?.text ?? '';
  assert.ok(first.startsWith('x'.repeat(200)));
  assert.match(first, /characters not shown live/);
  live.push('b', 2, { type: 'text-delta', text: 'hello' });
  await clock.advance(400);
  assert.deepEqual(live.backlog(), [{ stepId: 'b', attempt: 2, text: 'hello' }]);
});

test('quiet steps release held-back text after the idle time', async () => {
  const { clock, sent, live } = setup();
  live.push('a', 1, { type: 'text-delta', text: 'short' });
  await clock.advance(100);
  assert.equal(sent.length, 0, 'held back: could be the start of a secret');
  await clock.advance(300);
  assert.equal(
    sent
      .flat()
      .map((chunk) => chunk.text)
      .join(''),
    'short',
  );
});

test('tool calls and results read as short lines; usage and session parts are not output', () => {
  assert.equal(
    describePart({ type: 'tool-call', id: '1', name: 'Edit', input: { path: 'a.ts' } }),
    '\n▸ Edit {"path":"a.ts"}\n',
  );
  assert.equal(describePart({ type: 'tool-result', id: '1', output: 'ok', isError: false }), '◂ ok\n');
  assert.equal(describePart({ type: 'usage-report', usage: { inputTokens: 1, outputTokens: 1 } }), undefined);
  assert.equal(describePart({ type: 'session-start', sessionId: 's' }), undefined);
});
