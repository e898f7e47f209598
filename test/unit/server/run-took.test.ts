import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarize } from '../../../src/server/stream/runs-watcher.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { runTookMs } from '../../../web/src/model/run-took.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

test("the dashboard's took counts from the run's start, not from the approval wait before it", async () => {
  const store = new SqliteStore({ path: join(tempDir(), 'state.db'), clock: new FakeClock() });
  const owner = { pid: 1, startTime: '5', bootId: 'b', host: 'h' };
  const created = 1_000_000;
  store.createRun(
    {
      runId: 'r1',
      name: 'waited',
      workspace: '/w',
      planFile: null,
      status: 'awaiting_approval',
      stepCount: 1,
      createdAt: created,
      finishedAt: null,
      owner: null,
    },
    { runId: 'r1', seq: 1, type: 'run.created', at: created, data: {} },
  );
  // A person took ten minutes to approve; the run itself then ran for 2 seconds, was interrupted and resumed.
  const started = created + 600_000;
  const events = [
    { type: 'run.approval-requested', at: created, run: { status: 'awaiting_approval' } },
    { type: 'run.approved', at: started, run: { status: 'pending' } },
    { type: 'run.started', at: started, run: { status: 'running', owner } },
    { type: 'run.interrupted', at: started + 1_000, run: { status: 'interrupted', owner: null } },
    { type: 'run.started', at: started + 1_500, run: { status: 'running', owner } },
    { type: 'run.finished', at: started + 2_000, run: { status: 'succeeded', finishedAt: started + 2_000 } },
  ];
  events.forEach(({ run, ...event }, index) => {
    store.enqueue({ event: { runId: 'r1', seq: index + 2, data: {}, ...event }, run });
  });
  await store.flush();
  const [record] = store.listRuns();
  assert.equal(record?.startedAt, started, 'the first start, after the approval');
  assert.equal(store.getRun('r1')?.startedAt, started);
  const summary = summarize(record as NonNullable<typeof record>);
  assert.equal(runTookMs(summary), 2_000);
  store.close();
});
