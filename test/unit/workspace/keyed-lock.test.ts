import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLock } from '../../../src/workspace/keyed-lock.js';

test('sections of one key run one at a time in order; other keys are not held up; errors pass through', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  let releaseFirst: () => void = () => {};
  const first = lock.run('repo', async () => {
    log.push('first start');
    await new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    log.push('first end');
  });
  const second = lock.run('repo', async () => {
    log.push('second');
    throw new Error('boom');
  });
  const other = lock.run('other', async () => {
    log.push('other');
  });
  await other;
  assert.deepEqual(log, ['first start', 'other']);
  releaseFirst();
  await first;
  await assert.rejects(second, /boom/);
  assert.deepEqual(log, ['first start', 'other', 'first end', 'second']);
  assert.equal(await lock.run('repo', async () => 'after an error'), 'after an error');
});
