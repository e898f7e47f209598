import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVote } from '../../../src/review/parse-vote.js';

const good =
  '{"vote": "APPROVE", "confidence": 0.85, "reason": "adds the check", "evidence": ["if (x) return"]}';

test('reads a bare vote object', () => {
  const parsed = parseVote(good);
  assert.deepEqual(parsed, {
    ok: true,
    vote: { vote: 'approve', confidence: 0.85, reason: 'adds the check', evidence: ['if (x) return'] },
  });
});

test('reads a vote in a code fence, or after prose, and takes the last object', () => {
  const fenced = parseVote(`Here is my vote:\n\`\`\`json\n${good}\n\`\`\`\n`);
  assert.equal(fenced.ok && fenced.vote.vote, 'approve');
  const prose = parseVote(
    `The diff changes {"a": 1} into something else. I checked the test output.\n{"vote": "reject", "confidence": 0.7, "reason": "tests fail", "evidence": ["1 failing"]}`,
  );
  assert.equal(prose.ok && prose.vote.vote, 'reject');
});

test('strings with braces inside the vote do not confuse it', () => {
  const parsed = parseVote(
    '{"vote": "REJECT", "confidence": 1, "reason": "the } brace in \\"x{\\" is wrong", "evidence": ["const x = \'{\';"]}',
  );
  assert.equal(parsed.ok && parsed.vote.reason, 'the } brace in "x{" is wrong');
});

test('nothing is repaired: malformed votes are problems, not guesses', () => {
  const cases: Array<[string, RegExp]> = [
    ['I approve this change.', /no JSON object/],
    ['{"vote": "LGTM", "confidence": 0.9, "reason": "ok"}', /APPROVE/],
    ['{"vote": "APPROVE", "confidence": 90, "reason": "ok"}', /confidence/],
    ['{"vote": "APPROVE", "confidence": "high", "reason": "ok"}', /confidence/],
    ['{"vote": "APPROVE", "confidence": 0.9, "reason": ""}', /reason/],
    ['{"vote": "APPROVE", "confidence": 0.9, "reason": "ok"', /no JSON object/],
    ['{"verdict": "APPROVE"}', /no vote object/],
  ];
  for (const [answer, problem] of cases) {
    const parsed = parseVote(answer);
    assert.equal(parsed.ok, false, answer);
    if (!parsed.ok) assert.match(parsed.problem, problem, answer);
  }
});

test('a vote without quotes parses (the evidence check decides whether it counts)', () => {
  const parsed = parseVote('{"vote": "approve", "confidence": 0.5, "reason": "fine"}');
  assert.deepEqual(parsed.ok && parsed.vote.evidence, []);
});
