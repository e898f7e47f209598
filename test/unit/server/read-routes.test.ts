import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptEventError, EventDecoder } from '../../../src/engine/decode-events.js';
import type { ServerEngine } from '../../../src/server/engine-port.js';
import { readRoutes } from '../../../src/server/http/read-routes.js';
import type { ApiContext } from '../../../src/server/http/route-context.js';
import type { RouteContext } from '../../../src/server/http/router.js';
import { toHttpError } from '../../../src/server/http/wire-error.js';
import { createRedactor } from '../../../src/server/security/redact.js';
import { FeedRegistry } from '../../../src/server/stream/feed-registry.js';
import { RunFeed } from '../../../src/server/stream/run-feed.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

/** A finished run whose log ends with an event of a type this version does not know. */
async function runEndingInUnknown() {
  const clock = new FakeClock();
  const { engine, store } = createTestEngine({
    clock,
    agents: [new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }))],
  });
  const handle = engine.startRun(
    engine.createRun({ plan: planOf([{ id: 'a' }, { id: 'b' }]), workspace: '/w', planFile: null }).runId,
  );
  while (handle.state.status !== 'succeeded') await clock.advance(10);
  const final = await handle.done;
  const seq = final.lastSeq + 1;
  store.enqueue({ event: { runId: final.runId, seq, type: 'run.archived', at: clock.now(), data: {} } });
  await store.flush();
  return { store, clock, runId: final.runId, lastSeq: seq };
}

test('events pages keep an event of an unknown type, shown as unknown, so `more` ends at the log end', async () => {
  const { store, clock, runId, lastSeq } = await runEndingInUnknown();
  const decoder = new EventDecoder(silentLogger);
  const engine = { activeRun: () => undefined } as unknown as ServerEngine;
  const feed = RunFeed.open(
    {
      engine,
      store,
      clock,
      logger: silentLogger,
      decoder,
      redactor: createRedactor(() => []),
      observe: () => {},
    },
    runId,
    { replayWindow: 100, liveFlushMs: 100, liveMaxChars: 1_000 },
  );
  assert.ok(feed);
  assert.equal(feed.lastSeq, lastSeq);
  const api = { store, decoder, feeds: { get: () => feed } } as unknown as ApiContext;
  const route = readRoutes(api).find((candidate) => candidate.path === '/api/runs/:runId/events');
  assert.ok(route);

  const seen: Array<{ seq: number; type: string; data: unknown }> = [];
  let after = 0;
  for (let pages = 0; pages < 100; pages++) {
    const url = new URL(`http://127.0.0.1/api/runs/${runId}/events?after=${after}&limit=4`);
    const result = await route.handle({ params: { runId }, url } as unknown as RouteContext);
    const body = result?.body as { events: typeof seen; more: boolean; lastSeq: number };
    seen.push(...body.events);
    after = body.events[body.events.length - 1]?.seq ?? after;
    if (!body.more) break;
  }
  assert.deepEqual(
    seen.map((event) => event.seq),
    Array.from({ length: lastSeq }, (_, index) => index + 1),
    'every seq once, the trailing unknown one included',
  );
  assert.deepEqual(seen[seen.length - 1], {
    type: 'unknown',
    seq: lastSeq,
    at: clock.now(),
    data: { type: 'run.archived' },
  });
});

test('an event edited under a running server closes that run’s feed, not the server; reading the run says which event', async () => {
  const { store, clock, runId, lastSeq } = await runEndingInUnknown();
  const errors: unknown[] = [];
  const logger = {
    ...silentLogger,
    error: (_message: string, meta?: Record<string, unknown>) => errors.push(meta),
  };
  const deps = {
    engine: { activeRun: () => undefined } as unknown as ServerEngine,
    store,
    clock,
    logger,
    decoder: new EventDecoder(silentLogger, store.location),
    redactor: createRedactor(() => []),
    observe: () => {},
  };
  const options = {
    pollMs: 100,
    idleCloseMs: 60_000,
    replayWindow: 100,
    liveFlushMs: 100,
    liveMaxChars: 1_000,
  };
  const feeds = new FeedRegistry(deps, options);
  assert.ok(feeds.get(runId));
  store.enqueue({
    event: { runId, seq: lastSeq + 1, type: 'run.finished', at: clock.now(), data: { status: 'exploded' } },
  });
  await store.flush();

  // A finished run's feed looks at its log every tenth tick.
  for (let tick = 0; tick < 10; tick++) feeds.tick();
  assert.equal(feeds.peek(runId), undefined, 'the feed was closed');
  assert.deepEqual(errors, [
    {
      runId,
      error: `run ${runId}: event ${lastSeq + 1} (run.finished) in ${store.location} is not a valid run.finished: data.status: Invalid option: expected one of "succeeded"|"failed"|"cancelled". The log was edited or damaged; nothing was changed: restore the file from a backup`,
    },
  ]);

  let thrown: unknown;
  try {
    feeds.get(runId);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof CorruptEventError);
  const answer = toHttpError(thrown);
  assert.equal(answer.status, 500);
  assert.equal(answer.code, 'STORE_CORRUPT');
  assert.match(answer.message, new RegExp(`event ${lastSeq + 1} \\(run\\.finished\\)`));
});
