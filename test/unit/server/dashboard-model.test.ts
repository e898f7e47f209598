/** The dashboard's pure models, run in Node: the reducer over deltas, and the timeline's lanes and series. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunState } from '../../../src/engine/run-state.js';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';
import { applyEvents } from '../../../web/src/model/apply-events.js';
import { TimelineModel } from '../../../web/src/timeline/timeline-model.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

async function finishedRun(): Promise<{ events: WireEvent[]; final: RunState }> {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, (stepId, attempt) =>
    stepId === 'b' && attempt === 1 ? { durationMs: 30, fail: { kind: 'transient' } } : { durationMs: 20 },
  );
  const { engine, store } = createTestEngine({ clock, agents: [agent] });
  const plan = planOf(
    [
      { id: 'a' },
      { id: 'b', retries: 1, backoff: { initialMs: 1, maxMs: 1, factor: 1 } },
      { id: 'c', needs: ['a', 'b'] },
      { id: 'd' },
    ],
    { concurrency: 2 },
  );
  const handle = engine.startRun(engine.createRun({ plan, workspace: '/w', planFile: null }).runId);
  while (handle.state.status === 'running' || handle.state.status === 'pending') await clock.advance(5);
  const final = await handle.done;
  const events = [...store.readEvents(final.runId)].map(({ runId: _runId, ...event }) => event as WireEvent);
  return { events, final };
}

test('a snapshot plus deltas, applied by the dashboard, equal the engine state', async () => {
  const { events, final } = await finishedRun();
  const { createRunState } = await import('../../../src/engine/projection.js');
  const first = events[0];
  assert.ok(first?.type === 'run.created');
  const state = createRunState({ ...first, runId: final.runId });
  for (let start = 1; start < events.length; start += 3) {
    const applied = applyEvents(state, final.runId, events.slice(start, start + 3));
    assert.notEqual(applied, 'gap');
  }
  assert.deepEqual(JSON.parse(JSON.stringify(state)), JSON.parse(JSON.stringify(final)));
});

test('deltas already applied are skipped; deltas after a gap are refused', async () => {
  const { events, final } = await finishedRun();
  const { replayEvents } = await import('../../../src/engine/projection.js');
  const state = replayEvents(events.slice(0, 5).map((event) => ({ ...event, runId: final.runId }) as never));
  assert.ok(state);
  assert.deepEqual(applyEvents(state, final.runId, events.slice(2, 5)), []);
  assert.equal(applyEvents(state, final.runId, events.slice(6, 8)), 'gap');
  assert.equal(state.lastSeq, 5, 'nothing applied from a gapped batch');
  const applied = applyEvents(state, final.runId, events.slice(3, 8));
  assert.deepEqual(applied === 'gap' ? [] : applied.map((event) => event.seq), [6, 7, 8]);
});

test('the timeline puts attempts on the fewest lanes, and counts throughput and retries', async () => {
  const { events, final } = await finishedRun();
  const timeline = new TimelineModel();
  timeline.add(events);
  const { placed, lanes, start, end } = timeline.attempts(final.finishedAt ?? 0);
  assert.equal(placed.length, 5, 'four steps, one of them tried twice');
  assert.equal(lanes, 2, 'concurrency 2 needs two lanes');
  for (const lane of [0, 1]) {
    const onLane = placed
      .filter((attempt) => attempt.lane === lane)
      .sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < onLane.length; index++) {
      assert.ok(
        (onLane[index]?.startedAt ?? 0) >= (onLane[index - 1]?.finishedAt ?? 0),
        'no overlap on a lane',
      );
    }
  }
  const series = timeline.series(start, end, 10);
  assert.equal(
    series.finished.reduce((sum, value) => sum + value, 0),
    4,
  );
  assert.equal(
    series.retries.reduce((sum, value) => sum + value, 0),
    1,
  );
});
