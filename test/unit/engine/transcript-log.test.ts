/**
 * An attempt's transcript file: text joined per burst (written after a quiet moment, not per token),
 * other parts one line each with their time, long strings clipped, and a byte cap past which parts are
 * counted and the count is written last.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { maxPartStringChars, TranscriptLog, transcriptFileOf } from '../../../src/engine/transcript-log.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

function lines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('the transcript file sits beside the raw log', () => {
  assert.equal(transcriptFileOf('/logs/build.2.log'), '/logs/build.2.parts.jsonl');
});

test('text deltas become one line per burst; a quiet moment or another part ends the burst', async () => {
  const clock = new FakeClock();
  const path = join(tempDir('ai-collab-transcript-'), 'step.1.parts.jsonl');
  const log = new TranscriptLog(path, clock);
  log.add({ type: 'text-delta', text: 'Reading ' });
  log.add({ type: 'text-delta', text: 'the file.' });
  await clock.advance(250);
  log.add({ type: 'text-delta', text: 'Now editing.' });
  log.add({
    type: 'tool-call',
    id: 't1',
    name: 'Edit',
    input: { file_path: 'a.ts', new_string: 'x'.repeat(20_000) },
  });
  await log.close();
  const written = lines(path);
  assert.deepEqual(
    written.map((line) => [line.type, line.text ?? line.name]),
    [
      ['text-delta', 'Reading the file.'],
      ['text-delta', 'Now editing.'],
      ['tool-call', 'Edit'],
    ],
  );
  const input = written[2]?.input as { new_string: string };
  assert.ok(input.new_string.length < 20_000 && input.new_string.length > maxPartStringChars);
  assert.match(input.new_string, /12000 more characters\]$/);
});

test('past the byte cap parts are counted, and the count is the last line', async () => {
  const clock = new FakeClock();
  const path = join(tempDir('ai-collab-transcript-'), 'step.1.parts.jsonl');
  const log = new TranscriptLog(path, clock, 300);
  for (let index = 0; index < 10; index++) log.add({ type: 'warning', message: `warning number ${index}` });
  await log.close();
  const written = lines(path);
  const last = written[written.length - 1];
  assert.equal(last?.type, 'parts-dropped');
  assert.equal((last?.parts as number) + written.length - 1, 10);
});

test('an agent that says nothing leaves no file', async () => {
  const path = join(tempDir('ai-collab-transcript-'), 'step.1.parts.jsonl');
  await new TranscriptLog(path, new FakeClock()).close();
  assert.throws(() => readFileSync(path));
});
