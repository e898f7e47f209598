import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  readTrailers,
  refSafe,
  runBranchName,
  stepBranchName,
  trailerLines,
} from '../../../src/workspace/ref-names.js';

test('step ids become valid, distinct ref components', () => {
  const ids = ['build', '1', 'a b', 'a/b', 'a..b', '.hidden', 'x.lock', 'ünï', 'a:b', 'a_b', '-flag', ''];
  const names = ids.map((id) => stepBranchName('20261127-212236-670e27', id));
  assert.equal(new Set(names).size, ids.length);
  for (const name of names) {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'pipe' });
  }
  assert.equal(refSafe('build'), 'build', 'safe ids are kept as they are');
  assert.equal(runBranchName('r1'), 'ai-collab/r1/run');
});

test('trailers name run and step exactly, whatever the step id holds', () => {
  const message = `ai-collab: merge step x\n\nbody\n\n${trailerLines('run-1', 'step: with\nnewline', 3)}\n`;
  assert.deepEqual(readTrailers(message), { runId: 'run-1', stepId: 'step: with\nnewline', attempt: 3 });
  assert.equal(readTrailers('a plain commit\n'), undefined);
  assert.equal(
    readTrailers('AI-Collab-Run: %E0%A4%A\nAI-Collab-Step: x'),
    undefined,
    'a bad escape is not ours',
  );
});
