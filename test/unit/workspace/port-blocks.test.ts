import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PortBlocks } from '../../../src/workspace/port-blocks.js';

test('live attempts never share a block; a step gets its previous block back when it is free', () => {
  const blocks = new PortBlocks({ base: 40_000, size: 100 });
  const one = blocks.lease('run', 'one');
  const two = blocks.lease('run', 'two');
  const three = blocks.lease('run', 'three');
  assert.deepEqual([one.base, two.base, three.base], [40_000, 40_100, 40_200]);
  assert.equal(two.env.AI_COLLAB_PORT_BASE, '40100');
  assert.equal(two.env.AI_COLLAB_PORT_COUNT, '100');
  two.release();
  two.release(); // releasing twice frees nothing else
  const three2 = blocks.lease('run', 'three'); // three is still live: it gets the free block, not its own
  assert.equal(three2.base, 40_100);
  three.release();
  three2.release();
  assert.equal(blocks.lease('run', 'two').base, 40_100, 'its earlier block, free again');
  assert.equal(blocks.inUse, 2);
});

test('when every block is held, the lease fails with the fix', () => {
  const blocks = new PortBlocks({ base: 65_000, size: 268 });
  blocks.lease('run', 'a');
  blocks.lease('run', 'b');
  assert.throws(
    () => blocks.lease('run', 'c'),
    /all 2 port blocks of 268 from 65000 are in use; lower workspace\.ports\.size/,
  );
});

test('a server running plan after plan keeps nothing of the runs that ended', () => {
  const blocks = new PortBlocks({ base: 40_000, size: 100 });
  const live = blocks.lease('live run', 'build');
  for (let run = 0; run < 200; run++) {
    for (let step = 0; step < 20; step++) blocks.lease(`run ${run}`, `s${step}`).release();
    blocks.forgetRun(`run ${run}`);
  }
  assert.equal(blocks.remembered, 1, 'only the step of the run still going');
  live.release();
  assert.equal(blocks.lease('live run', 'build').base, 40_000, 'the run still going keeps its block');
});

test('runs that never end are forgotten oldest first, so the memory stays bounded', () => {
  // 455 blocks from 20000: at most 4 × 455 steps remembered.
  const blocks = new PortBlocks();
  for (let run = 0; run < 200; run++) {
    for (let step = 0; step < 20; step++) blocks.lease(`run ${run}`, `s${step}`).release();
  }
  assert.ok(blocks.remembered <= 4 * 455, `${blocks.remembered} remembered`);
  assert.ok(blocks.remembered >= 4 * 455 - 20, `${blocks.remembered} remembered`);
});
