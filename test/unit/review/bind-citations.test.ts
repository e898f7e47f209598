import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citationIndex } from '../../../src/review/bind-citations.js';
import type { EvidenceSection } from '../../../src/review/evidence.js';

const sections: EvidenceSection[] = [
  { title: 'TASK', role: 'task', text: 'step "add", agent claude, action edit\nMake add() return the sum.' },
  {
    title: 'CHANGES',
    role: 'work',
    text: [
      'diff --git a/src/add.ts b/src/add.ts',
      '--- a/src/add.ts',
      '+++ b/src/add.ts',
      '@@ -1,3 +1,3 @@',
      ' export function add(a: number, b: number): number {',
      '-  return a - b;',
      '+  return a + b;',
      ' }',
    ].join('\n'),
  },
  { title: 'VALIDATION', role: 'work', text: 'tests 4\npass 4\nfail 0' },
  { title: "THE AGENT'S ANSWER", role: 'claim', text: 'I fixed add and all tests pass now.' },
];
const check = citationIndex(sections);

test('quotes of the diff count with or without its line markers and whitespace', () => {
  assert.deepEqual(check(['+  return a + b;']), { ok: true, quotes: ['+  return a + b;'] });
  assert.equal(check(['return a + b;']).ok, true);
  assert.equal(check(['`return   a + b;`']).ok, true, 'backticks and spacing');
  assert.equal(check(['export function add(a: number, b: number): number {\n  return a + b;']).ok, true);
  assert.equal(check(['pass 4 fail 0']).ok, true, 'validation output across lines');
  assert.equal(check(['export function add(a: number ... return a + b;']).ok, true, 'an elided quote');
});

test('a quote that is not in the evidence discards the vote', () => {
  const result = check(['return a + b;', 'return a * b;']);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.problem, /"return a \* b;" is not in the evidence/);
});

test("the agent's own claims are not evidence", () => {
  const result = check(['all tests pass now']);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.problem, /agent's own claim/);
});

test('a vote must quote the work, not only the task, and quotes must be long enough to mean something', () => {
  const onlyTask = check(['Make add() return the sum.']);
  assert.equal(onlyTask.ok, false);
  if (!onlyTask.ok) assert.match(onlyTask.problem, /only the task/);
  assert.equal(check(['Make add() return the sum.', 'return a + b;']).ok, true);
  const short = check(['a + b']);
  assert.equal(short.ok, false);
  if (!short.ok) assert.match(short.problem, /too short/);
  const none = check([]);
  assert.equal(none.ok, false);
  if (!none.ok) assert.match(none.problem, /quotes no evidence/);
});
