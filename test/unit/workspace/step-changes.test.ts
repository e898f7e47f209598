import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capText, fileLines, parseNameStatus, parseNumstat } from '../../../src/workspace/step-changes.js';

test('numstat and name-status output (-z) become file changes, binary files and odd names included', () => {
  const numstat = parseNumstat('3\t1\tsrc/a.ts\0-\t-\timg.png\x000\t0\tname\twith tab\0');
  assert.deepEqual(numstat, [
    { path: 'src/a.ts', insertions: 3, deletions: 1, binary: false },
    { path: 'img.png', insertions: 0, deletions: 0, binary: true },
    { path: 'name\twith tab', insertions: 0, deletions: 0, binary: false },
  ]);
  const statuses = parseNameStatus('M\0src/a.ts\0A\0img.png\0D\0gone.txt\0');
  assert.deepEqual(Object.fromEntries(statuses), {
    'src/a.ts': 'modified',
    'img.png': 'added',
    'gone.txt': 'deleted',
  });
  assert.equal(
    fileLines([
      { path: 'src/a.ts', status: 'modified', insertions: 3, deletions: 1, binary: false },
      { path: 'img.png', status: 'added', insertions: 0, deletions: 0, binary: true },
    ]),
    'M src/a.ts (+3 -1)\nA img.png (binary)',
  );
});

test('a long patch is cut at a line boundary within the byte limit, never inside a character', () => {
  const text = 'ääää\n'.repeat(100);
  const cut = capText(text, 101);
  assert.equal(cut.truncated, true);
  assert.ok(Buffer.byteLength(cut.text) <= 101);
  assert.ok(cut.text.endsWith('\n'));
  assert.deepEqual(capText('short\n', 100), { text: 'short\n', truncated: false });
});
