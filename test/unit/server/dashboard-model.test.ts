/**
 * The dashboard's pure models, run in Node: the reducer over deltas, the Gantt chart's rows, waits,
 * critical path and series, and the transcript's summaries of tool calls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunState } from '../../../src/engine/run-state.js';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';
import { applyEvents } from '../../../web/src/model/apply-events.js';
import { GanttModel } from '../../../web/src/timeline/gantt-model.js';
import { buildTranscript, summarizeInput } from '../../../web/src/transcript/transcript-model.js';
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

test('the Gantt chart: a row per step, the backoff between attempts, the critical path, the series', async () => {
  const { events, final } = await finishedRun();
  const gantt = new GanttModel();
  gantt.add(events);
  assert.deepEqual([...gantt.rows.keys()].sort(), ['a', 'b', 'c', 'd']);
  const b = gantt.rows.get('b');
  assert.deepEqual(
    b?.segments.map((segment) => [segment.kind, segment.attempt]),
    [
      ['run', 1],
      ['backoff', 1],
      ['run', 2],
    ],
  );
  assert.deepEqual(
    [...(b?.outcomes ?? [])],
    [
      [1, 'retried'],
      [2, 'succeeded'],
    ],
  );
  for (const segment of b?.segments ?? []) assert.ok(segment.end !== undefined, 'every segment ended');
  // c waited for b (which ended after a), so the path runs through b.
  assert.deepEqual(gantt.criticalPath(final.finishedAt ?? 0), ['b', 'c']);
  const series = gantt.series();
  assert.equal(series.finished[series.finished.length - 1], 4);
  assert.equal(series.retries[series.retries.length - 1], 1);
  assert.ok(Math.max(...series.running) <= 2, 'never more running than the concurrency');
  assert.equal(series.running[series.running.length - 1], 0);
  assert.ok(Math.max(...series.queued) >= 1, 'a step waited for a slot');
  assert.equal(series.queued[series.queued.length - 1], 0);
});

test('a transcript pairs tool calls with results and says in one line what each was about', () => {
  assert.equal(summarizeInput({ file_path: 'src/a.ts' }), 'src/a.ts');
  assert.equal(summarizeInput({ command: ['bash', '-lc', 'npm test'] }), '$ bash -lc npm test');
  assert.equal(summarizeInput({ input: '*** Begin Patch\n+added\n+added\n-removed\n' }), 'patch +2 −1 lines');
  assert.equal(summarizeInput({ pattern: 'TODO' }), 'TODO');
  const transcript = buildTranscript([
    { type: 'text-delta', text: 'Looking', at: 1 },
    { type: 'text-delta', text: ' around.', at: 2 },
    { type: 'tool-call', id: 't', name: 'Bash', input: { command: 'ls' }, at: 3 },
    { type: 'tool-result', id: 't', output: 'a\nb\nc', isError: false, at: 4 },
    { type: 'usage-report', usage: { inputTokens: 5, outputTokens: 6 }, at: 5 },
  ]);
  assert.deepEqual(
    transcript.entries.map((entry) => entry.kind),
    ['message', 'tool'],
  );
  const tool = transcript.entries[1];
  assert.equal(tool?.kind === 'tool' && tool.result?.summary, 'a (3 lines)');
  assert.deepEqual(transcript.usage, { inputTokens: 5, outputTokens: 6 });
});
