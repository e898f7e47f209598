import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { identify } from '../../../src/agents/process/proc-table.js';
import { EventDecoder } from '../../../src/engine/decode-events.js';
import type { Engine } from '../../../src/engine/engine.js';
import type { ServerStore } from '../../../src/server/engine-port.js';
import { createRedactor } from '../../../src/server/security/redact.js';
import { FeedRegistry } from '../../../src/server/stream/feed-registry.js';
import { RunsWatcher } from '../../../src/server/stream/runs-watcher.js';
import type { RunSummary } from '../../../src/server/stream/stream-protocol.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

/** The store as the server sees it, counting the run rows each read parses. */
function countingStore(store: SqliteStore): { store: ServerStore; rowsRead: () => number } {
  let rows = 0;
  return {
    store: {
      location: store.location,
      readEvents: (runId, afterSeq) => store.readEvents(runId, afterSeq),
      getRun: (runId) => {
        const record = store.getRun(runId);
        if (record) rows++;
        return record;
      },
      listRuns: (options) => {
        const records = store.listRuns(options);
        rows += records.length;
        return records;
      },
      runsRevision: () => store.runsRevision(),
    },
    rowsRead: () => rows,
  };
}

function setUp(limit = 500) {
  const clock = new FakeClock();
  const { engine, store } = createTestEngine({
    clock,
    agents: [new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }))],
  });
  const counting = countingStore(store);
  const feeds = new FeedRegistry(
    {
      engine,
      store: counting.store,
      clock,
      logger: silentLogger,
      decoder: new EventDecoder(silentLogger),
      redactor: createRedactor(() => []),
      observe: () => {},
    },
    { pollMs: 100, idleCloseMs: 1_000, replayWindow: 100, liveFlushMs: 100, liveMaxChars: 1_000 },
  );
  const reported: RunSummary[] = [];
  const watcher = new RunsWatcher(
    counting.store,
    engine,
    feeds,
    (summary) => reported.push(summary),
    () => false,
    limit,
  );
  const runToEnd = async (runId: string) => {
    const handle = engine.startRun(runId);
    while (!['succeeded', 'failed'].includes(handle.state.status)) await clock.advance(10);
    await handle.done;
  };
  return { clock, engine, store, watcher, reported, rowsRead: counting.rowsRead, runToEnd };
}

function createRun(engine: Engine, name: string): string {
  return engine.createRun({ plan: planOf([{ id: 'a' }], { name }), workspace: '/w', planFile: null }).runId;
}

test('a poll of an unchanged runs list reads no run; a new run and its end still reach the list', async () => {
  const { clock, engine, watcher, reported, rowsRead, runToEnd } = setUp(3);
  const finished: string[] = [];
  for (const name of ['one', 'two', 'three']) {
    finished.push(createRun(engine, name));
    await runToEnd(finished.at(-1) ?? '');
    await clock.advance(1);
  }
  assert.deepEqual([...watcher.poll().keys()], [...finished].reverse(), 'newest first');
  assert.equal(reported.length, 3);

  const readBefore = rowsRead();
  for (let poll = 0; poll < 10; poll++) watcher.poll();
  assert.equal(rowsRead() - readBefore, 0, 'no run row is read or parsed while nothing changed');
  assert.equal(reported.length, 3, 'and nothing is reported again');

  await clock.advance(1);
  const added = createRun(engine, 'four');
  const listed = watcher.poll();
  assert.equal(rowsRead() - readBefore, 1, 'only the new run is read');
  assert.deepEqual([...listed.keys()], [added, finished[2], finished[1]], 'the oldest left the list');
  assert.deepEqual(
    reported.slice(3).map((summary) => [summary.runId, summary.status]),
    [[added, 'pending']],
  );

  await runToEnd(added);
  watcher.poll();
  assert.equal(rowsRead() - readBefore, 2, 'only the changed run is read');
  assert.deepEqual(
    reported.slice(4).map((summary) => [summary.runId, summary.status]),
    [[added, 'succeeded']],
  );
  watcher.poll();
  assert.equal(rowsRead() - readBefore, 2);
  assert.equal(reported.length, 5);
});

test('a running run whose owner process dies shows as interrupted at the next poll, with no row read', async (t) => {
  const { clock, engine, store, watcher, reported, rowsRead } = setUp();
  // The run's owner is another process: a real one, killed below; its row says running all along.
  const owner = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => owner.kill('SIGKILL'));
  const identity = owner.pid === undefined ? undefined : identify(owner.pid);
  assert.ok(identity);
  const runId = createRun(engine, 'elsewhere');
  const ownerIdentity = { ...identity, host: hostname() };
  assert.ok(store.claimRun(runId, null, ownerIdentity));
  store.enqueue({
    event: {
      runId,
      seq: 2,
      type: 'run.started',
      at: clock.now(),
      data: { owner: ownerIdentity, resumed: false },
    },
    run: { status: 'running', owner: ownerIdentity },
  });
  await store.flush();
  watcher.poll();
  assert.deepEqual(
    reported.map((summary) => summary.status),
    ['running'],
  );
  const readBefore = rowsRead();
  watcher.poll();
  assert.equal(reported.length, 1);

  owner.kill('SIGKILL');
  await once(owner, 'exit');
  watcher.poll();
  assert.equal(rowsRead() - readBefore, 0, 'the row did not change, so it is not read');
  assert.deepEqual(
    reported.map((summary) => summary.status),
    ['running', 'interrupted'],
  );
});
