/**
 * The scripted reviewer models of the HTTP part: prose for the review and its correction, then a vote that
 * is right with probability `accuracy` (seeded), quoting the changed line of the diff as its evidence.
 */
import { correctPrompt, votePrompt } from '../../src/review/review-prompts.js';
import { type ModelRequest, type Script, text } from '../../test/support/model-server/index.js';
import { mulberry32 } from '../scheduler/prng.js';

export const goodLine = 'return a + b;';
export const badLine = 'return a - b;';

/** The diff of change `index`: a right or a wrong `add`. */
export function changeDiff(index: number, good: boolean): string {
  const id = String(index).padStart(2, '0');
  return [
    `diff --git a/src/add-${id}.ts b/src/add-${id}.ts`,
    `--- a/src/add-${id}.ts`,
    `+++ b/src/add-${id}.ts`,
    '@@ -1,3 +1,3 @@',
    ` export function add${id}(a: number, b: number): number {`,
    '-  return 0;',
    `+  ${good ? goodLine : badLine}`,
    ' }',
  ].join('\n');
}

export function populationScript(accuracy: number, seed: number): Script {
  const random = mulberry32(seed);
  return (request: ModelRequest) => {
    if (request.lastUserText === correctPrompt) return text('Corrected review: the quotes above are exact.');
    if (request.lastUserText !== votePrompt) return text('Review: the diff changes what add() returns.');
    const evidence = request.messages.find((message) => message.role === 'user')?.text ?? '';
    const good = evidence.includes(`+  ${goodLine}`);
    const right = random() < accuracy;
    const approve = good === right;
    const confidence = right ? 0.6 + 0.4 * random() : 0.5 + 0.4 * random();
    return text(
      JSON.stringify({
        vote: approve ? 'APPROVE' : 'REJECT',
        confidence: Math.round(confidence * 100) / 100,
        reason: approve ? 'add() returns the sum' : 'add() does not return the sum',
        evidence: [good ? goodLine : badLine],
      }),
    );
  };
}
