import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder, replayLog } from '../../../src/engine/decode-events.js';
import { loadRunState } from '../../../src/engine/load-run-state.js';
import { type Logger, silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return {
    logger: { ...silentLogger, warn: (_message, meta) => warnings.push(String(meta?.type)) },
    warnings,
  };
}

test('a run whose log holds events of a newer version resumes: they keep their seq, change nothing, warn once', async () => {
  const clock = new FakeClock();
  const timer = () => new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const first = createTestEngine({ clock, agents: [timer()] });
  const created = first.engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: '/w',
    planFile: null,
  });
  // A newer version wrote two events of a type this one does not know.
  for (const seq of [created.lastSeq + 1, created.lastSeq + 2]) {
    first.store.enqueue({
      event: { runId: created.runId, seq, type: 'run.lease-renewed', at: clock.now(), data: { until: 1 } },
    });
  }
  await first.store.flush();

  const { logger, warnings } = recordingLogger();
  const second = createTestEngine({ clock, store: first.store, agents: [timer()], logger });
  const handle = second.engine.startRun(created.runId);
  while (handle.state.status !== 'succeeded') await clock.advance(10);
  const final = await handle.done;

  const stored = [...first.store.readEvents(created.runId)];
  assert.deepEqual(
    stored.map((event) => event.seq),
    stored.map((_event, index) => index + 1),
    'the log stays gap-free: new events follow the unknown ones',
  );
  assert.equal(stored.filter((event) => event.type === 'run.lease-renewed').length, 2, 'kept in the log');
  assert.equal(final.steps.b?.status, 'succeeded');
  assert.deepEqual(warnings, ['run.lease-renewed'], 'one warning for the run and type');

  const reloaded = loadRunState(first.store, created.runId, new EventDecoder(silentLogger));
  assert.equal(reloaded.status, 'succeeded');
  assert.equal(reloaded.lastSeq, stored.length);
});

test('a log must start with run.created, whatever type its first event has', () => {
  const decoder = new EventDecoder(silentLogger);
  assert.throws(
    () => replayLog(decoder.decode([{ type: 'run.lease-renewed', seq: 1, at: 0, data: {} }], 'r1')),
    /starts with run\.lease-renewed, not run\.created/,
  );
});
