import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecoder } from '../../../src/engine/decode-events.js';
import type { RunHandle } from '../../../src/engine/engine.js';
import type { RunEvent } from '../../../src/engine/events.js';
import type { RunEventListener } from '../../../src/engine/run-recorder.js';
import type { RunState } from '../../../src/engine/run-state.js';
import type { ServerEngine, ServerStore } from '../../../src/server/engine-port.js';
import { createRedactor } from '../../../src/server/security/redact.js';
import { RunFeed } from '../../../src/server/stream/run-feed.js';
import type { StoredEvent } from '../../../src/store/event-store.js';
import { type Logger, silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

/** The events of a real finished run (six steps), to replay in any order the test wants. */
async function recordedRun(): Promise<{ events: RunEvent[]; final: RunState }> {
  const clock = new FakeClock();
  const { engine, store } = createTestEngine({
    clock,
    agents: [new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }))],
  });
  const plan = planOf(
    [
      { id: 'a' },
      { id: 'b' },
      { id: 'c', needs: ['a'] },
      { id: 'd', needs: ['b', 'c'] },
      { id: 'e' },
      { id: 'f', needs: ['e'] },
    ],
    {
      concurrency: 2,
    },
  );
  const handle = engine.startRun(engine.createRun({ plan, workspace: '/w', planFile: null }).runId);
  while (handle.state.status !== 'succeeded') await clock.advance(10);
  const final = await handle.done;
  const events = [...store.readEvents(final.runId)].map(
    (event) => ({ ...event, runId: final.runId }) as RunEvent,
  );
  return { events, final };
}

/** A store holding the committed prefix of the log. */
class FakeStore implements ServerStore {
  readonly location = 'fake store';
  committed: StoredEvent[] = [];

  *readEvents(_runId: string, afterSeq = 0): Iterable<StoredEvent> {
    for (const event of this.committed) if (event.seq > afterSeq) yield event;
  }
  getRun() {
    return undefined;
  }
  listRuns() {
    return [];
  }
  runsRevision() {
    return 0;
  }
  commit(events: RunEvent[]): void {
    this.committed.push(...events);
  }
}

function fakeHandle(runId: string, state: RunState) {
  const listeners = new Set<RunEventListener>();
  const handle = {
    runId,
    state,
    done: new Promise<RunState>(() => {}),
    subscribe: (listener: RunEventListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeLive: () => () => {},
  } as unknown as RunHandle;
  const emit = (event: RunEvent) => {
    for (const listener of listeners) listener(event, state);
  };
  return { handle, emit };
}

function openFeed(
  store: FakeStore,
  handle: RunHandle | undefined,
  runId: string,
  replayWindow = 100,
  logger: Logger = silentLogger,
) {
  const engine = {
    activeRun: (id: string) => (id === runId ? handle : undefined),
  } as unknown as ServerEngine;
  const feed = RunFeed.open(
    {
      engine,
      store,
      clock: new FakeClock(),
      logger,
      decoder: new EventDecoder(logger),
      redactor: createRedactor(() => []),
      observe: () => {},
    },
    runId,
    { replayWindow, liveFlushMs: 100, liveMaxChars: 1_000 },
  );
  assert.ok(feed);
  const received: RunEvent[] = [];
  feed.addListener({ events: (_feed, events) => received.push(...events), live: () => {} });
  return { feed, received };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('events handed over by the engine of this process reach listeners in order, each once', async () => {
  const { events, final } = await recordedRun();
  const store = new FakeStore();
  store.commit(events.slice(0, 3));
  const { handle, emit } = fakeHandle(final.runId, { ...final, lastSeq: 3 });
  const { feed, received } = openFeed(store, handle, final.runId);
  // The engine hands an event over only once it is committed (run-recorder), so the feed takes it at once.
  const commitAndEmit = (event: RunEvent) => {
    store.commit([event]);
    emit(event);
  };
  for (const event of events.slice(3, 8)) commitAndEmit(event);
  await turn();
  assert.deepEqual(
    received.map((event) => event.seq),
    [4, 5, 6, 7, 8],
  );
  emit(events[5] as RunEvent);
  for (const event of events.slice(8)) commitAndEmit(event);
  await turn();
  assert.deepEqual(
    received.map((event) => event.seq),
    events.slice(3).map((event) => event.seq),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(feed.state)), JSON.parse(JSON.stringify(final)));
});

test('an event ahead of a gap waits until the store fills the gap', async () => {
  const { events, final } = await recordedRun();
  const store = new FakeStore();
  store.commit(events.slice(0, 2));
  const { handle, emit } = fakeHandle(final.runId, { ...final, lastSeq: 2 });
  const { feed, received } = openFeed(store, handle, final.runId);
  // Events 3 and 4 were recorded before the feed subscribed; 5 arrives live.
  emit(events[4] as RunEvent);
  store.commit(events.slice(2, 5));
  await turn();
  await turn();
  feed.tick();
  await turn();
  assert.deepEqual(
    received.map((event) => event.seq),
    [3, 4, 5],
  );
});

test('replay comes from memory, then the store; too far behind or ahead means a snapshot', async () => {
  const { events, final } = await recordedRun();
  const store = new FakeStore();
  store.commit(events);
  const { feed } = openFeed(store, undefined, final.runId, 10);
  const last = final.lastSeq;
  assert.deepEqual(feed.eventsAfter(last), []);
  assert.deepEqual(
    feed.eventsAfter(last - 3)?.map((event) => event.seq),
    [last - 2, last - 1, last],
  );
  assert.equal(feed.eventsAfter(last - 11), undefined, 'more than the replay window behind');
  assert.equal(feed.eventsAfter(last + 1), undefined, 'ahead of the server (another database?)');
  assert.deepEqual(feed.eventsAfter(last - 10)?.length, 10);
});

test('runs executed elsewhere are followed by reading the store', async () => {
  const { events, final } = await recordedRun();
  const store = new FakeStore();
  store.commit(events.slice(0, 4));
  const { feed, received } = openFeed(store, undefined, final.runId);
  store.commit(events.slice(4));
  feed.tick();
  await turn();
  assert.deepEqual(
    received.map((event) => event.seq),
    events.slice(4).map((event) => event.seq),
  );
});

/** `events` with an event of a type this version does not know inserted before each index, seqs renumbered. */
function withUnknownEvents(events: readonly RunEvent[], before: readonly number[]): StoredEvent[] {
  const stored: StoredEvent[] = [];
  events.forEach((event, index) => {
    if (before.includes(index)) {
      stored.push({
        runId: event.runId,
        seq: 0,
        type: 'step.lease-renewed',
        at: event.at,
        data: { stepId: 'a' },
      });
    }
    stored.push(event);
  });
  if (before.includes(events.length)) {
    const last = events[events.length - 1] as RunEvent;
    stored.push({ runId: last.runId, seq: 0, type: 'step.lease-renewed', at: last.at, data: {} });
  }
  return stored.map((event, index) => ({ ...event, seq: index + 1 }));
}

function recordingLogger(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = [];
  return {
    logger: { ...silentLogger, warn: (message, meta) => warnings.push({ message, ...meta }) },
    warnings,
  };
}

test('an event of a type this version does not know keeps its place in the feed, with one warning', async () => {
  const { events, final } = await recordedRun();
  const log = withUnknownEvents(events, [3, events.length]);
  const store = new FakeStore();
  store.committed.push(...log.slice(0, 6));
  const { logger, warnings } = recordingLogger();
  const { feed, received } = openFeed(store, undefined, final.runId, 100, logger);
  assert.equal(feed.lastSeq, 6, 'the unknown event at seq 4 counts in the sequence');
  store.committed.push(...log.slice(6));
  feed.tick();
  await turn();
  const known = log.filter((event) => event.type !== 'step.lease-renewed').map((event) => event.seq);
  assert.deepEqual(
    received.map((event) => event.seq),
    known.filter((seq) => seq > 6),
  );
  assert.equal(feed.lastSeq, log.length, 'a trailing unknown event is taken too');
  assert.equal(feed.state.status, final.status);
  assert.equal(warnings.length, 1, 'one warning per run and type');
  // Replay past an unknown event cannot be given as run events: the client takes a snapshot.
  assert.equal(feed.eventsAfter(2), undefined);
});
