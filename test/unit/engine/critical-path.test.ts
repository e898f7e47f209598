import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bottomLevels, estimateFor, median } from '../../../src/engine/scheduler/critical-path.js';
import { ReadyQueue } from '../../../src/engine/scheduler/ready-queue.js';
import { planOf } from '../../support/test-engine.js';

test('bottom level is own estimate plus the longest chain of work waiting on the step', () => {
  const plan = planOf([
    { id: 'a', estimateMs: 5 },
    { id: 'b', estimateMs: 10, needs: ['a'] },
    { id: 'c', estimateMs: 1, needs: ['a'] },
    { id: 'd', estimateMs: 7, needs: ['c'] },
  ]);
  const levels = bottomLevels(plan.steps, (step) => step.estimateMs ?? 1);
  assert.deepEqual(Object.fromEntries(levels), { a: 15, b: 10, c: 8, d: 7 });
});

test('estimates come from the step, else the median of history, else one second', () => {
  const [withEstimate, withoutEstimate] = planOf([
    { id: 'x', estimateMs: 42 },
    { id: 'y', action: 'edit' },
  ]).steps;
  assert.ok(withEstimate);
  assert.ok(withoutEstimate);
  const history = {
    historicalMedian: (agent: string, action: string) =>
      agent === 'timer' && action === 'edit' ? 9_000 : undefined,
  };
  assert.equal(estimateFor(withEstimate, history), 42);
  assert.equal(estimateFor(withoutEstimate, history), 9_000);
  assert.equal(estimateFor(withoutEstimate, undefined), 1_000);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), undefined);
});

test('bottom levels of a 100,000-step chain are computed without recursion limits', () => {
  const plan = planOf(
    Array.from({ length: 100_000 }, (_, index) => ({
      id: `s${index}`,
      needs: index === 0 ? [] : [`s${index - 1}`],
    })),
  );
  const levels = bottomLevels(plan.steps, () => 1);
  assert.equal(levels.get('s0'), 100_000);
});

test('the ready queue hands out the highest priority among agents with room', () => {
  const queue = new ReadyQueue();
  queue.push({ id: 'low', agent: 'a', priority: 1, order: 0 });
  queue.push({ id: 'high', agent: 'b', priority: 9, order: 1 });
  queue.push({ id: 'mid', agent: 'a', priority: 5, order: 2 });
  queue.push({ id: 'tie', agent: 'a', priority: 5, order: 3 });
  assert.equal(queue.take(() => true)?.id, 'high');
  assert.equal(
    queue.take((agent) => agent !== 'a'),
    undefined,
    'agent a is full',
  );
  assert.equal(queue.take(() => true)?.id, 'mid', 'ties go to plan order');
  assert.equal(queue.take(() => true)?.id, 'tie');
  assert.equal(queue.size, 1);
  assert.deepEqual(queue.drain(), ['low']);
});
