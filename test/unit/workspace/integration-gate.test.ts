import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegrationGate } from '../../../src/workspace/integration-gate.js';

test('steps share the worktree while it shows the tip; after a merge a newcomer waits for it to empty, then brings it up', async () => {
  const gate = new IntegrationGate<string>();
  let tip = 'c1';
  const broughtUp: string[] = [];
  const enter = () =>
    gate.enter(
      async () => tip,
      async (commit) => {
        broughtUp.push(commit);
        return `checkout of ${commit}`;
      },
    );
  const first = await enter();
  const second = await enter();
  assert.deepEqual(broughtUp, ['c1'], 'the second joins without touching the files under the first');
  assert.equal(second.startCommit, 'c1');
  assert.equal(second.synced, 'checkout of c1');

  tip = 'c2';
  let thirdIn = false;
  const third = enter().then((entry) => {
    thirdIn = true;
    return entry;
  });
  first.leave();
  first.leave();
  await Promise.resolve();
  assert.equal(thirdIn, false, 'one step is still inside: its files may not change');
  second.leave();
  const entered = await third;
  assert.equal(entered.startCommit, 'c2');
  assert.deepEqual(broughtUp, ['c1', 'c2']);

  // A step inside committed and the merge holds exactly that: newcomers join at once.
  gate.shows('c3');
  tip = 'c3';
  const fourth = await enter();
  assert.equal(fourth.startCommit, 'c3');
  assert.deepEqual(broughtUp, ['c1', 'c2']);
});

test('an empty worktree is brought up again even at the same tip, dropping what a failed step left', async () => {
  const gate = new IntegrationGate<number>();
  let count = 0;
  const enter = () =>
    gate.enter(
      async () => 'c1',
      async () => ++count,
    );
  (await enter()).leave();
  (await enter()).leave();
  assert.equal(count, 2);
});
